// The demo's namespace, LynqHub and LynqForm: YAML files under manifests/, applied with SSA.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RestMapper, refOf, resourcePath, type KubeClient, type KubeObject } from '@lynq/apply';
import { parseAllDocuments } from 'yaml';

export const MANIFEST_DIR = fileURLToPath(new URL('../manifests/', import.meta.url));
/** Applied in this order: the namespace first, the hub before the form that names it. */
export const MANIFEST_FILES = ['namespace.yaml', 'hub.yaml', 'form.yaml'] as const;
export const FIELD_MANAGER = 'lynq-demo';

/** Every object of the manifest files, in apply order. */
export function readManifests(dir = MANIFEST_DIR): KubeObject[] {
  return MANIFEST_FILES.flatMap((file) =>
    parseAllDocuments(readFileSync(`${dir}/${file}`, 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? ''}`);
      return doc.toJS() as KubeObject;
    }),
  );
}

/** Server-side applies each object (dryRun: the API server validates and discards). */
export async function applyManifests(
  client: KubeClient,
  objects: KubeObject[],
  options: { dryRun?: boolean } = {},
): Promise<void> {
  const mapper = new RestMapper(client);
  for (const obj of objects) {
    const ref = refOf(obj);
    const mapping = await mapper.resolve(ref.apiVersion, ref.kind);
    const { name, namespace } = obj.metadata;
    await client.request({
      method: 'PATCH',
      path: resourcePath(mapping, namespace, name),
      query: {
        fieldManager: FIELD_MANAGER,
        force: 'true',
        dryRun: options.dryRun === true ? 'All' : undefined,
      },
      contentType: 'application/apply-patch+yaml',
      body: obj,
      object: ref,
    });
  }
}
