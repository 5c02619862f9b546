// Parsing a LynqForm (a zod schema over every resource) costs more than the rest of a node's
// reconcile when nothing changed. Informers replace an object on every change and never mutate
// it, so the object's identity is a safe cache key: a WeakMap forgets with the object. Results are
// frozen: they are shared by every reconcile that reads the same object.
import { parseForm, parseNode } from '@lynq/api';
import type { KubeObject } from '@lynq/runtime';
import { deepFreeze } from './render-cache.js';

type FormParse = ReturnType<typeof parseForm>;
type NodeParse = ReturnType<typeof parseNode>;

const forms = new WeakMap<KubeObject, FormParse>();
const nodes = new WeakMap<KubeObject, NodeParse>();

/** parseForm of an informer's object, once per object. */
export function parsedForm(obj: KubeObject): FormParse {
  let parsed = forms.get(obj);
  if (parsed === undefined) {
    parsed = deepFreeze(parseForm(obj));
    forms.set(obj, parsed);
  }
  return parsed;
}

/** parseNode of an informer's object, once per object. */
export function parsedNode(obj: KubeObject): NodeParse {
  let parsed = nodes.get(obj);
  if (parsed === undefined) {
    parsed = deepFreeze(parseNode(obj));
    nodes.set(obj, parsed);
  }
  return parsed;
}
