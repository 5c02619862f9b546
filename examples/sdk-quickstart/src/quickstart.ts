// The three steps of the quickstart, each through one entry of @lynq/sdk.
import { form, hub } from '@lynq/sdk/builders';
import type { LynqClient } from '@lynq/sdk/client';
import { previewForm, type FormPreview, type RowRecord } from '@lynq/sdk/render';

export interface Objects {
  hub: ReturnType<typeof hub>;
  form: ReturnType<typeof form>;
}

/** A hub over a MariaDB table of tenants, and a form giving each active tenant a ConfigMap. */
export function buildObjects(namespace: string): Objects {
  const tenants = hub({
    name: 'tenants',
    namespace,
    spec: {
      source: {
        type: 'mysql',
        syncInterval: '1m',
        mysql: { host: 'mariadb', username: 'lynq', database: 'app', table: 'tenants' },
      },
      valueMappings: { uid: 'id', activate: 'active' },
      extraValueMappings: { plan: 'plan' },
    },
  });
  const web = form({
    name: 'web',
    namespace,
    spec: {
      hubId: 'tenants',
      configMaps: [
        {
          id: 'settings',
          nameTemplate: '{{ .uid }}-settings',
          spec: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            data: { tenant: '{{ .uid }}', plan: '{{ .plan | upper }}' },
          },
        },
      ],
    },
  });
  return { hub: tenants, form: web };
}

/** What the form would create for these rows, offline. */
export function preview(objects: Objects, rows: readonly RowRecord[]): FormPreview {
  return previewForm(objects.form, rows, { hub: objects.hub });
}

/**
 * Applies the hub and the form (server-side apply) and waits until `node` is Ready, which the
 * operator reports once it has read the row and applied the node's objects.
 */
export async function applyAndWait(
  client: LynqClient,
  objects: Objects,
  node: string,
  timeoutMs: number,
): Promise<void> {
  await client.applyHub(objects.hub);
  await client.applyForm(objects.form);
  await client.waitForNodeReady(objects.hub.metadata.namespace ?? '', node, { timeoutMs });
}
