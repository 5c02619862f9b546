// lynq validate FILE… : the admission webhooks' checks, offline. Every LynqHub and LynqForm of
// every YAML document goes through @lynq/plan's checkHub/checkForm (the code the operator's
// webhooks and form controller run), and each finding is reported with its file, object, field
// path and line:column.
import { parseArgs } from 'node:util';
import { Kinds } from '@lynq/api';
import { checkForm, checkHub } from '@lynq/plan';
import { templateCheck } from '@lynq/render';
import { Exit, UsageError, type Command, type CommandIO } from '../command.js';
import { readInputs } from '../input.js';
import { formatData, outputFormat, type OutputFormat } from '../output.js';
import { parseYamlDocuments, type Position } from '../yaml-source.js';

export const validateUsage = `Usage: lynq validate [options] FILE… (- reads standard input)

Checks every LynqHub and LynqForm in the files (multi-document YAML or JSON) as the admission
webhooks would: defaults, schema, ids, the dependency graph (with the cycle path), templates,
ignoreFields JSONPath, readyWhen CEL, hub source blocks and Secret references. Other kinds are
skipped. Each finding names the file, line:column, object and field path.

Options:
  -o, --output table|yaml|json   default table
  --allow-nunjucks               accept templateSyntax: nunjucks (an operator started with
                                 --enable-nunjucks-templates does)
  --plugin-types TYPE[,TYPE]     datasource source types of the operator's plugins (valid
                                 besides mysql and postgresql)

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage or unreadable files.`;

export interface ObjectRefOut {
  kind: string;
  namespace?: string;
  name: string;
}

export interface Finding {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  /** The object the finding is about; absent for a document that is no object at all. */
  object?: ObjectRefOut;
  /** Field path ('' for the document). */
  path: string;
  message: string;
}

export interface ValidateResult {
  objects: (ObjectRefOut & { file: string; line: number; valid: boolean })[];
  skipped: (ObjectRefOut & { file: string; line: number })[];
  findings: Finding[];
  errors: number;
  warnings: number;
}

export interface ValidateOptions {
  allowNunjucks?: boolean;
  pluginSourceTypes?: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function refOf(value: Record<string, unknown>): ObjectRefOut {
  const meta = isObject(value['metadata']) ? value['metadata'] : {};
  const ref: ObjectRefOut = {
    kind: typeof value['kind'] === 'string' ? value['kind'] : '<no kind>',
    name: typeof meta['name'] === 'string' && meta['name'] !== '' ? meta['name'] : '<unnamed>',
  };
  if (typeof meta['namespace'] === 'string' && meta['namespace'] !== '')
    ref.namespace = meta['namespace'];
  return ref;
}

/** Validates YAML texts; pure apart from the template check (in this process). */
export async function validateTexts(
  inputs: readonly { name: string; text: string }[],
  options: ValidateOptions = {},
): Promise<ValidateResult> {
  const result: ValidateResult = { objects: [], skipped: [], findings: [], errors: 0, warnings: 0 };
  const templates = templateCheck({ allowNunjucks: options.allowNunjucks === true });
  const add = (f: Finding) => {
    result.findings.push(f);
    if (f.severity === 'error') result.errors++;
    else result.warnings++;
  };
  for (const input of inputs) {
    const docs = parseYamlDocuments(input.text);
    for (const doc of docs) {
      for (const e of doc.errors)
        add({ severity: 'error', file: input.name, ...e.position, path: '', message: e.message });
      if (doc.errors.length > 0) continue;
      // A List (kubectl get -o yaml) holds its objects in items.
      const values =
        isObject(doc.value) && doc.value['kind'] === 'List' && Array.isArray(doc.value['items'])
          ? doc.value['items'].map((v, i) => ({ value: v as unknown, prefix: `items[${i}]` }))
          : [{ value: doc.value, prefix: '' }];
      for (const { value, prefix } of values) {
        const where = (path: string): Position =>
          doc.positionOf(prefix && path ? `${prefix}.${path}` : prefix || path);
        if (!isObject(value)) {
          add({
            severity: 'error',
            file: input.name,
            ...where(''),
            path: '',
            message: 'the document is not an object (expected a Kubernetes object with kind)',
          });
          continue;
        }
        const object = refOf(value);
        const line = where('').line;
        let checked;
        if (object.kind === Kinds.Hub)
          checked = checkHub(value, {
            ...(options.pluginSourceTypes ? { pluginSourceTypes: options.pluginSourceTypes } : {}),
          });
        else if (object.kind === Kinds.Form) checked = await checkForm(value, { templates });
        else {
          result.skipped.push({ ...object, file: input.name, line });
          continue;
        }
        result.objects.push({ ...object, file: input.name, line, valid: checked.ok });
        const report = (severity: Finding['severity'], path: string, message: string) =>
          add({ severity, file: input.name, ...where(path), object, path, message });
        if (!checked.ok) for (const e of checked.errors) report('error', e.path, e.message);
        for (const w of checked.warnings) report('warning', w.path, w.message);
      }
    }
  }
  return result;
}

const describeRef = (o: ObjectRefOut) =>
  `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

/** Compiler-style lines (`file:line:col: error: …`), then a summary. */
export function validateTable(result: ValidateResult): string {
  const lines = result.findings.map(
    (f) =>
      `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.object ? `${describeRef(f.object)}: ` : ''}${f.path ? `${f.path}: ` : ''}${f.message}`,
  );
  const n = result.objects.length;
  const summary = `${n} object${n === 1 ? '' : 's'} checked (${result.objects.filter((o) => o.valid).length} valid), ${result.errors} error${result.errors === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'}${result.skipped.length ? `; ${result.skipped.length} other object${result.skipped.length === 1 ? '' : 's'} skipped` : ''}`;
  return [...lines, summary].join('\n');
}

export const validate: Command = async (argv, io) => {
  let format: OutputFormat;
  let files: string[];
  let options: ValidateOptions;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        output: { type: 'string', short: 'o' },
        'allow-nunjucks': { type: 'boolean' },
        'plugin-types': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout(validateUsage);
      return Exit.Ok;
    }
    format = outputFormat(values.output);
    if (positionals.length === 0) throw new UsageError('no files given');
    files = positionals;
    options = {
      allowNunjucks: values['allow-nunjucks'] === true,
      ...(values['plugin-types']
        ? {
            pluginSourceTypes: values['plugin-types']
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          }
        : {}),
    };
  } catch (err) {
    return usageFailure(io, 'validate', err, validateUsage);
  }
  let inputs;
  try {
    inputs = await readInputs(io, files);
  } catch (err) {
    return usageFailure(io, 'validate', err);
  }
  const result = await validateTexts(inputs, options);
  io.stdout(formatData(format, result) ?? validateTable(result));
  return result.errors > 0 ? Exit.Findings : Exit.Ok;
};

/** Prints a usage error (with the usage text when it is about the arguments) and returns 2. */
export function usageFailure(io: CommandIO, command: string, err: unknown, usage?: string): number {
  if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
  // parseArgs reports unknown or malformed flags as TypeErrors with ERR_PARSE_ARGS_* codes.
  const code = (err as { code?: string }).code ?? '';
  if (err instanceof TypeError && !code.startsWith('ERR_PARSE_ARGS')) throw err;
  io.stderr(`lynq ${command}: ${err.message}${usage ? `\n\n${usage}` : ''}`);
  return Exit.Usage;
}
