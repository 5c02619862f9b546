// Parsing a LynqForm (a zod schema over every resource) costs more than the rest of a node's
// reconcile when nothing changed. (Nodes are not memoized: there are thousands, each object is
// parsed about once, and a second copy of each would double their share of the heap.) Informers replace an object on every change and never mutate
// it, so the object's identity is a safe cache key: a WeakMap forgets with the object. Results are
// frozen: they are shared by every reconcile that reads the same object.
import { parseForm } from '@lynq/api';
import type { KubeObject } from '@lynq/runtime';
import { deepFreeze } from './render-cache.js';

type FormParse = ReturnType<typeof parseForm>;

const forms = new WeakMap<KubeObject, FormParse>();

/** parseForm of an informer's object, once per object. */
export function parsedForm(obj: KubeObject): FormParse {
  let parsed = forms.get(obj);
  if (parsed === undefined) {
    parsed = deepFreeze(parseForm(obj));
    forms.set(obj, parsed);
  }
  return parsed;
}
