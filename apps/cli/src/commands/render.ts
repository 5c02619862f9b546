// lynq render --form form.yaml --rows rows.(json|yaml|csv) [--hub hub.yaml] [--namespace ns]
//             [--allow-nunjucks]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatIssue, parseForm, parseHub, type FieldIssue } from '@lynq/api';
import { compileForm, formatRenderError, templateCheck } from '@lynq/render';
import { stringify } from 'yaml';
import { parseRows, variablesFromHub, variablesFromRow } from '../rows.js';
import type { Command, CommandIO } from '../command.js';

// Kubernetes tools read YAML 1.1, where yes/on/y are booleans and 0123 is octal: write with the
// 1.1 schema so such strings come out quoted.
const YAML_OPTIONS = { lineWidth: 0, version: '1.1' } as const;

export const renderUsage = `Usage: lynq render --form <form.yaml> --rows <rows.json|yaml|csv> [--hub <hub.yaml>] [--namespace <ns>] [--allow-nunjucks]

Renders the form for every row and prints the manifests as a YAML stream.
  --form        LynqForm (YAML or JSON)
  --rows        rows: a JSON/YAML list of objects, or CSV with a header row
  --hub         LynqHub: map columns to variables through its valueMappings/extraValueMappings
                and skip inactive rows; without it, each row already holds the variables
  --namespace   the node namespace (default: "default")
  --allow-nunjucks
                render forms with templateSyntax: nunjucks (refused by default: nunjucks is no
                sandbox for untrusted templates; use it only for forms you trust)
Exit status: 0 on success, 1 when a template fails for some row, 2 on bad input.`;

function readText(io: CommandIO, what: string, path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    io.stderr(`lynq render: cannot read ${what} ${path}: ${(err as Error).message}`);
    return undefined;
  }
}

function report(
  io: CommandIO,
  object: string,
  errors: readonly FieldIssue[],
  warnings: readonly FieldIssue[],
): void {
  for (const w of warnings) io.stderr(`warning: ${object}: ${formatIssue(w)}`);
  for (const e of errors) io.stderr(`error: ${object}: ${formatIssue(e)}`);
}

export const render: Command = (argv, io) => {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        form: { type: 'string' },
        rows: { type: 'string' },
        hub: { type: 'string' },
        namespace: { type: 'string', default: 'default' },
        'allow-nunjucks': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    io.stderr(`lynq render: ${(err as Error).message}\n\n${renderUsage}`);
    return 2;
  }
  if (values.help) {
    io.stdout(renderUsage);
    return 0;
  }
  if (!values.form || !values.rows) {
    io.stderr(`lynq render: --form and --rows are required\n\n${renderUsage}`);
    return 2;
  }
  const formText = readText(io, 'form', values.form);
  const rowsText = readText(io, 'rows', values.rows);
  const hubText = values.hub ? readText(io, 'hub', values.hub) : '';
  if (formText === undefined || rowsText === undefined || hubText === undefined) return 2;

  const allowNunjucks = values['allow-nunjucks'] === true;
  const form = parseForm(formText, { checks: [templateCheck({ allowNunjucks })] });
  report(io, form.object, form.ok ? [] : form.errors, form.warnings);
  if (!form.ok && !allowNunjucks && form.errors.some((e) => e.path === 'spec.templateSyntax'))
    io.stderr('lynq render: pass --allow-nunjucks to render nunjucks forms you trust');
  const hub = values.hub ? parseHub(hubText) : undefined;
  if (hub) report(io, hub.object, hub.ok ? [] : hub.errors, hub.warnings);
  if (!form.ok || (hub && !hub.ok)) return 2;

  let rows;
  try {
    rows = parseRows(rowsText, values.rows).rows;
  } catch (err) {
    io.stderr(`lynq render: ${values.rows}: ${(err as Error).message}`);
    return 2;
  }

  const compiled = compileForm(form.value, { allowNunjucks });
  const documents: string[] = [];
  let failed = 0;
  rows.forEach((row, index) => {
    const { uid, active, variables } = hub?.ok
      ? variablesFromHub(row, hub.value, form.value)
      : variablesFromRow(row, form.value);
    if (!active) return;
    const label = uid ? `row ${JSON.stringify(uid)}` : `row ${index + 1}`;
    if (!uid) {
      io.stderr(`error: ${label}: the uid is empty`);
      failed++;
      return;
    }
    const result = compiled.render(variables, { namespace: values.namespace });
    for (const e of result.errors) io.stderr(`error: ${label}: ${formatRenderError(e)}`);
    if (result.errors.length) failed++;
    for (const r of result.resources)
      if (r.manifest) documents.push(stringify(r.manifest, YAML_OPTIONS));
  });
  if (documents.length)
    io.stdout(
      documents
        .map((d) => `---\n${d}`)
        .join('')
        .trimEnd(),
    );
  if (failed) {
    io.stderr(`lynq render: templates failed for ${failed} of ${rows.length} rows`);
    return 1;
  }
  return 0;
};
