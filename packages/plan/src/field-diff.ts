// Field-level differences between two objects, by path (`spec.template.spec.containers[0].image`,
// as @lynq/api formats paths): what `lynq plan` and `lynq diff` show for one Kubernetes object.
import { formatPath } from '@lynq/api';

export interface FieldChange {
  /** `add`: only in `after`; `remove`: only in `before`; `change`: a different value. */
  op: 'add' | 'remove' | 'change';
  path: string;
  before?: unknown;
  after?: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every leaf-level difference between `before` and `after`: maps are compared key by key, lists
 * item by item (an item appended or removed is one add or remove), scalars by value. A map or
 * list that appears or disappears whole is one change at its path. Order: by path as walked
 * (keys sorted), so the output is stable. Iterative: no depth limit from the stack.
 */
export function fieldDiff(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  type Step = { path: PropertyKey[]; a: unknown; b: unknown } | { emit: FieldChange };
  const stack: Step[] = [{ path: [], a: before, b: after }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    if ('emit' in step) {
      out.push(step.emit);
      continue;
    }
    const { path, a, b } = step;
    // Children are pushed last-first, so they are popped (and reported) in order.
    const children: Step[] = [];
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) {
        const p = [...path, k];
        if (Object.hasOwn(a, k) && Object.hasOwn(b, k))
          children.push({ path: p, a: a[k], b: b[k] });
        else if (Object.hasOwn(a, k))
          children.push({ emit: { op: 'remove', path: formatPath(p), before: a[k] } });
        else children.push({ emit: { op: 'add', path: formatPath(p), after: b[k] } });
      }
    } else if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const p = [...path, i];
        if (i >= b.length)
          children.push({ emit: { op: 'remove', path: formatPath(p), before: a[i] } });
        else if (i >= a.length)
          children.push({ emit: { op: 'add', path: formatPath(p), after: b[i] } });
        else children.push({ path: p, a: a[i], b: b[i] });
      }
    } else if (!(a === b || (Number.isNaN(a) && Number.isNaN(b)))) {
      const at = formatPath(path);
      if (a === undefined) out.push({ op: 'add', path: at, after: b });
      else if (b === undefined) out.push({ op: 'remove', path: at, before: a });
      else out.push({ op: 'change', path: at, before: a, after: b });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}
