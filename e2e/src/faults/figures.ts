// One fault case's figures: what was injected, for how long, at what load, what the operator did,
// how long recovery took and what was lost. Each case writes one JSON file into the results
// directory; `report.ts` turns the files into the table of docs/reliability.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is e2e/src/faults/figures.ts); no harness import, so report.ts stays light. */
const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** `ci` (default): short faults that fit the CI budget; `full` (LYNQ_FAULTS_FULL=1): the lengths. */
export type Variant = 'ci' | 'full';

export const VARIANT: Variant = process.env['LYNQ_FAULTS_FULL'] === '1' ? 'full' : 'ci';

/** The CI value or, with LYNQ_FAULTS_FULL=1, the full one. */
export function scaled<T>(ci: T, full: T): T {
  return VARIANT === 'full' ? full : ci;
}

/**
 * The operator's main.js: $LYNQ_FAULTS_OPERATOR_MAIN (e.g. a `npm run package:operator` copy, so
 * that a rebuild of the workspace during a long run cannot pull files from under it), else the
 * workspace build.
 */
export function operatorMain(): string | undefined {
  const fromEnv = process.env['LYNQ_FAULTS_OPERATOR_MAIN'];
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : undefined;
}

/** Spread into operator options: `{ main }` when LYNQ_FAULTS_OPERATOR_MAIN is set. */
export const OPERATOR_BUILD: { main?: string } = (() => {
  const main = operatorMain();
  return main !== undefined ? { main } : {};
})();

/** Where the JSON figures go: $LYNQ_FAULTS_RESULTS, else e2e/faults-results. */
export function resultsDir(): string {
  const fromEnv = process.env['LYNQ_FAULTS_RESULTS'];
  return fromEnv !== undefined && fromEnv !== ''
    ? resolve(fromEnv)
    : join(REPO_ROOT, 'e2e', 'faults-results');
}

/** What a fault took away: every count must be 0. */
export interface Loss {
  /** LynqNodes that were there before and are gone (or being deleted) after. */
  nodesLost: number;
  /** Managed objects (ConfigMaps, …) gone or being deleted. */
  objectsLost: number;
  /** Objects of the same name with another uid: deleted and created again. */
  recreated: number;
}

export interface FaultFigure {
  /** Stable id, also the file name: `db-down`. */
  id: string;
  /** Group of the table: database, control plane, operator, load. */
  group: string;
  /** What was injected, in words. */
  fault: string;
  /** How long the fault lasted (ms); the length of the run for load cases. */
  faultMs: number;
  /** The load at the time: `200 LynqNodes, 200 ConfigMaps`. */
  load: string;
  /** What the operator did while it lasted: conditions, events, writes. */
  operator: string;
  /** From the end of the fault until the cluster was converged again (ms); null: not applicable. */
  recoveryMs: number | null;
  /** The bound recovery was held to, in words (`≤ one sync (5 s) + 5 s`). */
  recoveryBound?: string;
  lost: Loss;
  /** Further measured figures (writes per minute, 429s, …). */
  figures?: Record<string, number | string>;
}

export interface RecordedFigure extends FaultFigure {
  variant: Variant;
  recordedAt: string;
  machine: string;
}

/** A short description of this machine for the table. */
export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Writes `<resultsDir>/<id>.json`. */
export function recordFigure(figure: FaultFigure): RecordedFigure {
  const out: RecordedFigure = {
    ...figure,
    variant: VARIANT,
    recordedAt: new Date().toISOString(),
    machine: machine(),
  };
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  // Results of a run, not sources: the directory keeps itself out of git.
  writeFileSync(join(dir, '.gitignore'), '*\n');
  writeFileSync(join(dir, `${figure.id}.json`), `${JSON.stringify(out, null, 2)}\n`);
  console.info(`fault figure ${figure.id}: ${JSON.stringify(out)}`);
  return out;
}

export const NOTHING_LOST: Loss = { nodesLost: 0, objectsLost: 0, recreated: 0 };
