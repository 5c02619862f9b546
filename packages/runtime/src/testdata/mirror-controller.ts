// The README's example controller: every ConfigMap labelled `example.com/mirror: "true"` gets a
// copy named `<name>-mirror`, owned by it; edits to the copy are undone.
import {
  KubeApiError,
  Resources,
  ignoreStatusOnlyChanges,
  resourcePath,
  type KubeObject,
  type Manager,
  type Controller,
} from '../index.js';

type ConfigMap = KubeObject & { data?: Record<string, string> };

export const MIRROR_LABEL = 'example.com/mirror';

export function mirrorController(manager: Manager): Controller {
  const configMaps = manager.informer<ConfigMap>(Resources.ConfigMap);
  return manager
    .controller('configmap-mirror')
    .for(Resources.ConfigMap, { predicates: [ignoreStatusOnlyChanges()] })
    .owns(Resources.ConfigMap)
    .withWorkers(2)
    .complete(async ({ namespace, name }) => {
      const source = configMaps.store.get(name, namespace);
      if (source?.metadata.labels?.[MIRROR_LABEL] !== 'true') return; // gone, or not ours
      const mirrorName = `${name}-mirror`;
      const mirror = configMaps.store.get(mirrorName, namespace);
      const desired: ConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: mirrorName,
          namespace,
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name,
              uid: source.metadata.uid ?? '',
              controller: true,
            },
          ],
        },
        data: source.data ?? {},
      };
      if (mirror === undefined) {
        try {
          await manager.client.request({
            method: 'POST',
            path: resourcePath(Resources.ConfigMap, namespace),
            body: desired,
          });
        } catch (err) {
          if (!(err instanceof KubeApiError && err.status === 409)) throw err; // cache lag: retry later
          return { requeueAfter: 1000 };
        }
        return;
      }
      if (JSON.stringify(mirror.data ?? {}) === JSON.stringify(desired.data)) return;
      // resourceVersion makes the write conditional: a stale cache gets 409 and a retry.
      desired.metadata.resourceVersion = mirror.metadata.resourceVersion;
      await manager.client.request({
        method: 'PUT',
        path: resourcePath(Resources.ConfigMap, namespace, mirrorName),
        body: desired,
      });
    });
}
