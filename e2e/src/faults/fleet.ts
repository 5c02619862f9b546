// The fleet a fault must leave alone: every LynqNode and managed object of a namespace by name,
// with its uid. Comparing two inventories says what a fault lost (gone, being deleted) or
// recreated (same name, new uid).
import type { LynqNode } from '@lynq/api';
import type { ResourceType } from '@lynq/runtime';
import { Res, conditionOf, type Kube, type Note } from '../harness/index.js';
import type { Loss } from './figures.js';

export interface Entry {
  uid: string;
  deleting: boolean;
}

/** `node/<name>` and `<kind>/<name>` → uid and whether it is being deleted. */
export type Inventory = Map<string, Entry>;

/** The LynqNodes and objects of `types` in `namespace` (kube-root-ca.crt left out). */
export async function inventory(
  kube: Kube,
  namespace: string,
  types: readonly ResourceType[] = [Res.ConfigMap],
): Promise<Inventory> {
  const out: Inventory = new Map();
  for (const n of await kube.list(Res.Node, namespace))
    out.set(`node/${n.metadata.name}`, {
      uid: n.metadata.uid ?? '',
      deleting: n.metadata.deletionTimestamp !== undefined,
    });
  for (const type of types)
    for (const o of await kube.list(type, namespace)) {
      if (o.metadata.name === 'kube-root-ca.crt') continue;
      out.set(`${type.kind.toLowerCase()}/${o.metadata.name}`, {
        uid: o.metadata.uid ?? '',
        deleting: o.metadata.deletionTimestamp !== undefined,
      });
    }
  return out;
}

/** What `after` lost of `before` (entries only in `after` are new, not a loss). */
export function lossBetween(before: Inventory, after: Inventory): Loss & { names: string[] } {
  const loss = { nodesLost: 0, objectsLost: 0, recreated: 0, names: [] as string[] };
  for (const [key, was] of before) {
    const now = after.get(key);
    if (now === undefined || now.deleting) {
      if (key.startsWith('node/')) loss.nodesLost++;
      else loss.objectsLost++;
      loss.names.push(`${key} ${now === undefined ? 'gone' : 'being deleted'}`);
    } else if (now.uid !== was.uid) {
      loss.recreated++;
      loss.names.push(`${key} recreated`);
    }
  }
  return loss;
}

/** A holdsFor/waitFor check: nothing of `before` lost so far (notes what was). */
export function intact(
  kube: Kube,
  namespace: string,
  before: Inventory,
  types?: readonly ResourceType[],
) {
  return async (note: Note): Promise<boolean> => {
    const loss = lossBetween(before, await inventory(kube, namespace, types));
    note(loss.names.slice(0, 20));
    return loss.names.length === 0;
  };
}

/** LynqNodes of `hub` and how many are Ready=True. */
export async function readiness(
  kube: Kube,
  namespace: string,
  hub: string,
): Promise<{ nodes: number; ready: number; list: LynqNode[] }> {
  const list = await kube.nodesOf(hub, namespace);
  const ready = list.filter((n) => conditionOf(n, 'Ready')?.status === 'True').length;
  return { nodes: list.length, ready, list };
}
