// lynq render --form form.yaml --rows rows.(json|yaml|csv) [--hub hub.yaml] [--namespace ns]
//             [--allow-nunjucks]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatIssue, parseForm, parseHub, type FieldIssue } from '@lynq/api';
import { compileForm, formatRenderError, templateCheck } from '@lynq/render';
import { stringify } from 'yaml';
import { parseRows, variablesFromHub, variablesFromRow } from '../rows.js';
import { type UsageError, type Command, type CommandIO } from '../command.js';
import { outputFormat, table, YAML_OPTIONS, type OutputFormat } from '../output.js';

export const renderUsage = `Usage: lynq render --form <form.yaml> --rows <rows.json|yaml|csv> [--hub <hub.yaml>] [--namespace <ns>] [--allow-nunjucks] [-o yaml|json|table]

Renders the form for every row and prints the manifests: a YAML stream (default), a JSON List
(-o json), or one line per object (-o table).
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
        output: { type: 'string', short: 'o' },
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
  let format: OutputFormat;
  try {
    // The manifests are YAML by nature: yaml is the default here.
    format = outputFormat(values.output ?? 'yaml');
  } catch (err) {
    io.stderr(`lynq render: ${(err as UsageError).message}`);
    return 2;
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
  const manifests: Record<string, unknown>[] = [];
  const rowOf: string[] = [];
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
      if (r.manifest) {
        manifests.push(r.manifest);
        rowOf.push(uid);
      }
  });
  if (format === 'json')
    io.stdout(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }, null, 2));
  else if (format === 'table')
    io.stdout(
      table(
        ['ROW', 'KIND', 'NAMESPACE', 'NAME'],
        manifests.map((m, i) => {
          const meta = (m['metadata'] ?? {}) as { name?: string; namespace?: string };
          return [rowOf[i]!, String(m['kind']), meta.namespace ?? '', meta.name ?? ''];
        }),
      ),
    );
  else if (manifests.length)
    io.stdout(
      manifests
        .map((m) => `---\n${stringify(m, YAML_OPTIONS)}`)
        .join('')
        .trimEnd(),
    );
  if (failed) {
    io.stderr(`lynq render: templates failed for ${failed} of ${rows.length} rows`);
    return 1;
  }
  return 0;
};
