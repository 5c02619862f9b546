import { stringify } from 'yaml';

type Manifest = object;

/**
 * YAML for `kubectl apply -f` or a Git repository: one document per object, separated by `---`.
 * Keys keep the order they were written in; no anchors or aliases are emitted, even for an object
 * that appears twice.
 */
export function toYaml(objects: Manifest | readonly Manifest[]): string {
  const list = Array.isArray(objects) ? objects : [objects];
  return list
    .map((o) => stringify(o, { aliasDuplicateObjects: false, lineWidth: 0 }))
    .join('---\n');
}

/**
 * JSON with two-space indentation and a final newline: one object as itself, several as a
 * Kubernetes `List` (which kubectl applies like a multi-document YAML file).
 */
export function toJson(objects: Manifest | readonly Manifest[]): string {
  const value = Array.isArray(objects)
    ? { apiVersion: 'v1', kind: 'List', items: objects }
    : objects;
  return `${JSON.stringify(value, null, 2)}\n`;
}
