/**
 * One row of a hub's datasource, as the hub plan reads it. The same shape as @lynq/datasource's
 * `Row` (declared here so this package needs no datasource).
 */
export interface PlanRow {
  /** Value of the uid column; unique within one fetch. */
  uid: string;
  /** Value of the activate column as read ("" for NULL). */
  activate: string;
  /** Whether `activate` is in the truthy set. */
  active: boolean;
  /** Value of the deprecated hostOrUrl column, present only when it is mapped. */
  hostOrUrl?: string;
  /** One entry per `extraValueMappings` variable. */
  extras: Readonly<Record<string, string>>;
}

/**
 * A row the datasource left out of `rows` (@lynq/datasource's `RowProblem`: EMPTY_UID,
 * DUPLICATE_UID, INVALID_UID_ENCODING). Nodes of its uid are kept exactly as they are; a problem
 * without a uid names no node, so it holds every deletion of the sync.
 */
export interface RowProblemRef {
  uid?: string;
  code: string;
}

/** A complete, successful read of the datasource. */
export interface FetchedRows {
  rows: readonly PlanRow[];
  problems: readonly RowProblemRef[];
}

/**
 * What the hub controller got from its datasource this sync. `ok: false` (an error, a timeout, a
 * partial read) plans no creation, update or deletion at all.
 */
export type HubFetch =
  ({ ok: true } & FetchedRows) | { ok: false; error: { code?: string; message: string } };
