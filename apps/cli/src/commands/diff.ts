// lynq diff --form FILE [--node NAME]: a form file against the cluster. For each node of the
// form (or the one named), the node as the hub would rewrite it with this form (its row data
// taken from the node's own annotations), its objects rendered and applied with dryRun=All,
// and the API server's answer compared with the live objects, field by field, like kubectl diff.
import { parseArgs } from 'node:util';
import {
  Annotations,
  parseForm,
  parseHub,
  type LynqForm,
  type LynqHub,
  type LynqNode,
} from '@lynq/api';
import {
  compareNodeObjects,
  previewHub,
  renderNodeObjects,
  type HubFetch,
  type PlanRow,
} from '@lynq/plan';
import { Cluster, ClusterError, FormType, HubType } from '../cluster.js';
import { CLUSTER_FLAGS, CLUSTER_FLAGS_USAGE } from '../cluster-flags.js';
import { Exit, UsageError, type Command, type CommandIO } from '../command.js';
import {
  ACTION_SIGN,
  applyServerDiff,
  changeLine,
  dryRunnable,
  objectChangeOut,
  objectLabel,
  type ObjectChangeOut,
} from '../object-change.js';
import { readInputs } from '../input.js';
import { loadLynqObjects } from '../lynq-objects.js';
import { formatData, outputFormat } from '../output.js';
import { progress } from '../progress.js';
import { discoverScopes, asStored } from './plan.js';
import { usageFailure, validateTable } from './validate.js';

export const diffUsage = `Usage: lynq diff --form FILE [--node NAME] [options]

Compares a LynqForm file (- reads standard input) with the cluster: for every LynqNode of the
form (or only --node), the objects the node controller would apply with this form are sent to
the API server as dry-run applies (dryRun=All, the operator's field manager and apply options),
and what the server would store is compared with the live objects, field by field. Row data
comes from each node's annotations (what the hub last wrote); "lynq plan --cluster" reads the
rows themselves.

Options:
  --form FILE                    the LynqForm (required)
  --node NAME                    only this LynqNode
  --allow-nunjucks               render templateSyntax: nunjucks forms (trusted forms only)
${CLUSTER_FLAGS_USAGE}

Exit status (as kubectl diff): 0 no differences, 1 differences or errors, 2 usage.`;

export type DiffObjectOut = ObjectChangeOut;

export interface DiffResult {
  form: { namespace: string; name: string };
  nodes: { name: string; uid: string; errors: string[]; objects: DiffObjectOut[] }[];
  differences: number;
  errors: number;
}

/** A node's row as the hub last wrote it (annotations), for a plan of that node alone. */
function rowOf(node: LynqNode): PlanRow {
  const a = node.metadata.annotations ?? {};
  let extras: Record<string, string> = {};
  try {
    const parsed = JSON.parse(a[Annotations.Extra] ?? '{}') as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      extras = parsed as Record<string, string>;
  } catch {
    // A bad annotation is the node's own error; planNode reports it.
    extras = {};
  }
  const activate = a[Annotations.Activate] ?? 'true';
  return {
    uid: node.spec?.uid ?? '',
    activate,
    active: true,
    extras,
    ...(a[Annotations.HostOrUrl] !== undefined ? { hostOrUrl: a[Annotations.HostOrUrl] } : {}),
  };
}

export function diffTable(result: DiffResult): string {
  const out: string[] = [];
  for (const n of result.nodes) {
    out.push(`LynqNode ${result.form.namespace}/${n.name} (uid ${n.uid})`);
    for (const e of n.errors) out.push(`    ! ${e}`);
    for (const o of n.objects) {
      out.push(
        `    ${ACTION_SIGN[o.action] ?? '?'} ${objectLabel(o)}: ${o.action}${o.error ? `: ${o.error}` : ''}`,
      );
      for (const c of o.changes) out.push(`        ${changeLine(c)}`);
    }
  }
  if (result.nodes.length === 0)
    out.push(`LynqForm ${result.form.namespace}/${result.form.name} has no LynqNodes`);
  out.push(
    `${result.differences} object${result.differences === 1 ? '' : 's'} differ, ${result.errors} error${result.errors === 1 ? '' : 's'}`,
  );
  return out.join('\n');
}

async function run(io: CommandIO, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CLUSTER_FLAGS,
      form: { type: 'string', short: 'f' },
      node: { type: 'string' },
      'allow-nunjucks': { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(diffUsage);
    return Exit.Ok;
  }
  const format = outputFormat(values.output);
  if (!values.form) throw new UsageError('--form is required');
  const allowNunjucks = values['allow-nunjucks'] === true;
  const say = progress(io, values.progress);
  const loaded = await loadLynqObjects(await readInputs(io, [values.form]), { allowNunjucks });
  if (loaded.checked.errors > 0) {
    io.stderr(validateTable(loaded.checked));
    return Exit.Findings;
  }
  if (loaded.forms.length !== 1)
    throw new UsageError(
      `${values.form} must hold exactly one LynqForm (it holds ${loaded.forms.length})`,
    );
  const fileForm = loaded.forms[0]!;
  const namespace = values.namespace ?? fileForm.metadata.namespace ?? 'default';
  const formName = fileForm.metadata.name ?? '';
  say.say('connecting to the cluster');
  const cluster = await Cluster.connect({
    kubeconfig: values.kubeconfig,
    context: values.context,
    ...(io.env ? { env: io.env } : {}),
  });
  try {
    const liveHub = await cluster.get<LynqHub>(HubType, namespace, fileForm.spec.hubId);
    const hubParsed = liveHub ? parseHub(liveHub) : undefined;
    if (!hubParsed?.ok)
      throw new ClusterError(
        `LynqHub ${namespace}/${fileForm.spec.hubId} (the form's hubId) ${liveHub ? 'is invalid' : 'does not exist'}`,
      );
    const hub = hubParsed.value;
    const liveFormObj = await cluster.get<LynqForm>(FormType, namespace, formName);
    const liveForm = liveFormObj ? parseForm(liveFormObj) : undefined;
    const stored = asStored(
      { ...fileForm, metadata: { ...fileForm.metadata, namespace } },
      liveForm?.ok ? liveForm.value : undefined,
    );
    // Each node alone, at once: no maxSkew pacing in a diff.
    const form: LynqForm = stored.spec.rollout?.maxSkew
      ? { ...stored, spec: { ...stored.spec, rollout: { ...stored.spec.rollout, maxSkew: 0 } } }
      : stored;
    let nodes = (await cluster.nodesOfHub(hub)).filter((n) => n.spec?.templateRef === formName);
    if (values.node !== undefined) {
      nodes = nodes.filter((n) => n.metadata.name === values.node);
      if (nodes.length === 0)
        throw new ClusterError(
          `LynqNode ${namespace}/${values.node} of form ${formName} does not exist`,
        );
    }
    const fetch: HubFetch = { ok: true, rows: nodes.map(rowOf), problems: [] };
    const scopeOf = await discoverScopes(cluster, [form], nodes);
    const preview = previewHub({
      hub,
      forms: [form],
      fetch,
      existing: nodes,
      now: new Date(),
      scopeOf,
      allowNunjucks,
    });
    const result: DiffResult = {
      form: { namespace, name: formName },
      nodes: [],
      differences: 0,
      errors: 0,
    };
    for (const [i, existing] of nodes.entries()) {
      const name = existing.metadata.name ?? '';
      say.say(`dry-run ${i + 1}/${nodes.length}: LynqNode ${name}`);
      const next =
        (preview.nodes.find((p) => p.name === name && p.node)?.node as LynqNode | undefined) ??
        existing;
      const before = renderNodeObjects(existing, form, scopeOf, allowNunjucks);
      const after = renderNodeObjects(next, form, scopeOf, allowNunjucks);
      const compared = compareNodeObjects(before.objects, after.objects, after.orphans);
      const objects: DiffObjectOut[] = [];
      const node = {
        name,
        namespace: existing.metadata.namespace ?? namespace,
        uid: existing.metadata.uid,
      };
      for (const o of compared) {
        // Only the server's answer is shown: the render comparison's changes are not kubectl diff's.
        const out = objectChangeOut(o, []);
        const planned = after.objects.find((p) => p.id === o.id);
        if (dryRunnable(out) && planned) await applyServerDiff(cluster, node, planned, out);
        if (out.action === 'error') result.errors++;
        else if (out.action !== 'unchanged') result.differences++;
        objects.push(out);
      }
      const errors = after.errors;
      result.errors += errors.length;
      result.nodes.push({ name, uid: existing.spec?.uid ?? '', errors, objects });
    }
    io.stdout(formatData(format, result) ?? diffTable(result));
    return result.differences > 0 || result.errors > 0 ? Exit.Findings : Exit.Ok;
  } finally {
    cluster.close();
  }
}

export const diff: Command = async (argv, io) => {
  try {
    return await run(io, argv);
  } catch (err) {
    if (err instanceof ClusterError) {
      io.stderr(`lynq diff: ${err.message}`);
      return Exit.Findings;
    }
    return usageFailure(io, 'diff', err, err instanceof UsageError ? diffUsage : undefined);
  }
};
