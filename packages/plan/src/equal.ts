/**
 * Deep equality of JSON data: objects by their own enumerable keys (a key whose value is
 * undefined counts as absent), arrays in order, everything else with `===`.
 */
export function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalJson(a[i], other[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keysX = Object.keys(x).filter((k) => x[k] !== undefined);
  const keysY = Object.keys(y).filter((k) => y[k] !== undefined);
  if (keysX.length !== keysY.length) return false;
  for (const k of keysX) {
    if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
    if (!equalJson(x[k], y[k])) return false;
  }
  return true;
}
