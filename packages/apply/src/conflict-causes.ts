import type { StatusCause } from './errors.js';

/** One field that Server-Side Apply could not take because another manager owns it. */
export interface FieldConflict {
  /** The field manager that owns the field, e.g. `kubectl-edit`. */
  manager: string;
  /** `Update` when the owner wrote the field with a create/update/patch, `Apply` for SSA. */
  operation: 'Apply' | 'Update';
  /** The owner's apiVersion (only reported for Update managers). */
  apiVersion?: string;
  /** e.g. `status` when the owner wrote through a subresource. */
  subresource?: string;
  /** When the owner last wrote (RFC3339, only reported for Update managers). */
  time?: string;
  /** The field path as the server prints it, e.g. `.data.key` or `.spec.containers[name="app"].image`. */
  field: string;
}

// The server prints each conflict as `conflict with "<manager>"`, optionally followed by
// ` with subresource "<sub>"`, and for Update managers ` using <apiVersion>` and ` at <time>`.
const CONFLICT_MESSAGE =
  /^conflict with ("(?:[^"\\]|\\.)*")(?: with subresource ("(?:[^"\\]|\\.)*"))?(?: using (\S+)(?: at (\S+))?)?$/;

/** Reads the `FieldManagerConflict` causes of an SSA 409 Status; other causes are skipped. */
export function parseConflictCauses(causes: readonly StatusCause[]): FieldConflict[] {
  const conflicts: FieldConflict[] = [];
  for (const cause of causes) {
    if (cause.reason !== 'FieldManagerConflict') continue;
    const field = cause.field ?? '';
    const match = CONFLICT_MESSAGE.exec(cause.message ?? '');
    if (match === null) {
      // Unrecognised wording: keep the whole message as the manager rather than lose the conflict.
      conflicts.push({ manager: cause.message ?? '', operation: 'Apply', field });
      continue;
    }
    const [, quotedManager, quotedSubresource, apiVersion, time] = match;
    const conflict: FieldConflict = {
      manager: unquote(quotedManager ?? '""'),
      operation: apiVersion !== undefined ? 'Update' : 'Apply',
      field,
    };
    if (quotedSubresource !== undefined) conflict.subresource = unquote(quotedSubresource);
    if (apiVersion !== undefined) conflict.apiVersion = apiVersion;
    if (time !== undefined) conflict.time = time;
    conflicts.push(conflict);
  }
  return conflicts;
}

/** Go's %q output is JSON-compatible for printable text; fall back to the raw inner text. */
function unquote(quoted: string): string {
  try {
    const value: unknown = JSON.parse(quoted);
    if (typeof value === 'string') return value;
  } catch {
    // Go-only escapes such as \x00: keep the text between the quotes
  }
  return quoted.slice(1, -1);
}
