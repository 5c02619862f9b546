// `npm run faults:report -w @lynq/e2e [-- --write ../docs/reliability.md] [--dir DIR]`
// Reads the JSON figures of a fault run (figures.ts writes them) and prints the markdown table of
// docs/reliability.md; with --write, replaces the table between its markers in that file.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir, type RecordedFigure } from './figures.js';

const BEGIN =
  '<!-- faults:begin (npm run faults:report -w @lynq/e2e -- --write ../docs/reliability.md) -->';
const END = '<!-- faults:end -->';
const GROUPS = ['database', 'control plane', 'operator', 'load'];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function table(figures: readonly RecordedFigure[]): string {
  const sorted = [...figures].sort(
    (a, b) =>
      GROUPS.indexOf(a.group) - GROUPS.indexOf(b.group) ||
      a.id.localeCompare(b.id) ||
      a.variant.localeCompare(b.variant),
  );
  const variants = [...new Set(sorted.map((f) => f.variant))].join(', ');
  const machines = [...new Set(sorted.map((f) => f.machine))].join('; ');
  const dates = sorted.map((f) => f.recordedAt).sort();
  const lines = [
    `Variant: **${variants}**; machine: ${machines}; recorded ${dates[0]?.slice(0, 16) ?? '?'}–${dates.at(-1)?.slice(11, 16) ?? '?'} UTC.`,
    '',
    '| case | variant | fault injected | lasted | load | what the operator did | recovery | lost (nodes / objects / recreated) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const f of sorted) {
    const lost = `${f.lost.nodesLost} / ${f.lost.objectsLost} / ${f.lost.recreated}`;
    const recovery =
      f.recoveryMs === null
        ? '–'
        : `${seconds(f.recoveryMs)}${f.recoveryBound !== undefined ? ` (${f.recoveryBound})` : ''}`;
    lines.push(
      `| \`${f.id}\` | ${f.variant} | ${cell(f.fault)} | ${seconds(f.faultMs)} | ${cell(f.load)} | ${cell(f.operator)} | ${cell(recovery)} | ${lost === '0 / 0 / 0' ? '**nothing** (0 / 0 / 0)' : `**${lost}**`} |`,
    );
  }
  return lines.join('\n');
}

function main(): void {
  // --dir may be given more than once (e.g. a ci run and a full run of some files).
  const dirs = process.argv.flatMap((a, i) => (a === '--dir' ? [process.argv[i + 1] ?? ''] : []));
  const figures = (dirs.length > 0 ? dirs : [resultsDir()]).flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RecordedFigure),
  );
  if (figures.length === 0) {
    process.stderr.write('no figures: run npm run test:faults -w @lynq/e2e first\n');
    process.exit(1);
  }
  const md = table(figures);
  const target = arg('--write');
  if (target === undefined) {
    process.stdout.write(`${md}\n`);
    return;
  }
  const doc = readFileSync(target, 'utf8');
  const from = doc.indexOf(BEGIN);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) {
    process.stderr.write(`${target} has no ${BEGIN} … ${END} markers\n`);
    process.exit(1);
  }
  writeFileSync(target, `${doc.slice(0, from + BEGIN.length)}\n${md}\n${doc.slice(to)}`);
  process.stdout.write(`wrote ${figures.length} figures into ${target}\n`);
}

main();
