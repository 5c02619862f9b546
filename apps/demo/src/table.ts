// The live table as text: a pure function of what was read from the cluster and the operator log.
import { NodeReasons } from '@lynq/api';

export interface HubView {
  name: string;
  desired: number;
  ready: number;
  failed: number;
  /** Reason of the hub's Ready condition; undefined before the operator wrote one. */
  reason: string | undefined;
  /** The Ready condition's message while it is not True (e.g. the database error). */
  problem?: string | undefined;
}

export interface ResourceView {
  kind: string;
  name: string;
  /** undefined: the object does not exist (not created yet, or already deleted). */
  ready: boolean | undefined;
  /** The operator skipped it because a dependency failed (status.skippedResourceIds). */
  skipped?: boolean;
  /** Why it is not ready (a readiness reason such as ReplicasNotReady). */
  reason?: string;
}

export interface NodeView {
  name: string;
  ready: number;
  desired: number;
  failed: number;
  /** Reason of the node's Ready condition; undefined before the operator wrote one. */
  reason: string | undefined;
  deleting: boolean;
  /** The node's latest Warning event (`Reason: message`), shown while the node is not Ready. */
  warning?: string | undefined;
  resources: ResourceView[];
}

export interface Snapshot {
  hubs: HubView[];
  nodes: NodeView[];
  /** One line about the operator process, e.g. `running (pid 42)`. */
  operator: string;
  /** The last error the operator logged, if any. */
  lastError?: string | undefined;
  /** Why this refresh could not read the cluster (the rest is the previous reading). */
  readError?: string | undefined;
}

const HEADER = ['NODE / RESOURCE', 'READY', 'DESIRED', 'FAILED', 'STATUS'];

function nodeStatus(node: NodeView): string {
  if (node.deleting) return 'Deleting';
  return node.reason ?? 'Pending (no status yet)';
}

function resourceCells(resource: ResourceView): string[] {
  const name = `  ${resource.kind}/${resource.name}`;
  if (resource.ready === undefined) {
    return [
      name,
      '-',
      '',
      '',
      resource.skipped === true ? 'skipped: a dependency failed' : 'not created',
    ];
  }
  return [
    name,
    resource.ready ? 'yes' : 'no',
    '',
    '',
    resource.ready ? '' : (resource.reason ?? ''),
  ];
}

/**
 * Lines of cells, left-aligned in columns two spaces apart; trailing blanks trimmed. A row of one
 * cell is a note: written as it is and left out of the column widths.
 */
function align(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows.filter((r) => r.length > 1)) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (row.length > 1 ? cell.padEnd(widths[i] ?? 0) : cell))
      .join('  ')
      .trimEnd(),
  );
}

/** Renders the snapshot; equal snapshots give equal text (so "changed" is a string comparison). */
export function renderTable(snapshot: Snapshot): string {
  const lines: string[] = [];
  if (snapshot.hubs.length === 0) lines.push('LynqHub: none yet');
  for (const hub of [...snapshot.hubs].sort((a, b) => a.name.localeCompare(b.name))) {
    lines.push(
      `LynqHub ${hub.name}: desired ${hub.desired}, ready ${hub.ready}, failed ${hub.failed}` +
        ` (${hub.reason ?? 'no status yet'})`,
    );
    if (hub.problem !== undefined) lines.push(`  ! ${hub.problem}`);
  }
  lines.push('');
  if (snapshot.nodes.length === 0) {
    lines.push('No LynqNodes (no active rows yet, or the operator has not synced the hub).');
  } else {
    const rows: string[][] = [HEADER];
    for (const node of [...snapshot.nodes].sort((a, b) => a.name.localeCompare(b.name))) {
      rows.push([
        node.name,
        String(node.ready),
        String(node.desired),
        String(node.failed),
        nodeStatus(node),
      ]);
      if (node.warning !== undefined && node.reason !== NodeReasons.Reconciled) {
        rows.push([`  ! ${node.warning}`]);
      }
      for (const resource of node.resources) rows.push(resourceCells(resource));
    }
    lines.push(...align(rows));
  }
  lines.push('', `operator: ${snapshot.operator}`);
  if (snapshot.lastError !== undefined) lines.push(`last operator error: ${snapshot.lastError}`);
  if (snapshot.readError !== undefined)
    lines.push(`cannot read the cluster: ${snapshot.readError}`);
  return lines.join('\n');
}
