// lynq plan: what a hub or form change would do before it lands. The hub controller's own plan
// (@lynq/plan previewHub: planHub with the deletion guard and maxSkew) over rows from a file or
// from the hub's datasource, and each changed node's objects: rendered here and, with
// --cluster, sent to the API server as dry-run applies to show the field-level diff it would
// really produce.
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { Annotations, listResources, type LynqForm, type LynqHub, type LynqNode } from '@lynq/api';
import { isDatasourceError, normaliseRecords, planColumns } from '@lynq/datasource';
import {
  previewHub,
  renderNodeObjects,
  type HubFetch,
  type HubPreview,
  type NodePreview,
  type ScopeOf,
  workloadsReady,
} from '@lynq/plan';
import { Cluster, ClusterError, HubType, datasourceRegistry } from '../cluster.js';
import { CLUSTER_FLAGS, CLUSTER_FLAGS_USAGE } from '../cluster-flags.js';
import { Exit, UsageError, type Command, type CommandIO } from '../command.js';
import { CsvError } from '../csv.js';
import {
  ACTION_SIGN,
  applyServerDiff,
  changeLine,
  dryRunnable,
  objectChangeOut,
  objectLabel,
  type ObjectChangeOut,
} from '../object-change.js';
import { maskChanges } from '../secret-mask.js';
import { readInput, readInputs } from '../input.js';
import { loadLynqObjects, loadNodes } from '../lynq-objects.js';
import { formatData, outputFormat, type OutputFormat } from '../output.js';
import { progress, type Progress } from '../progress.js';
import { parseRows, RowsError } from '../rows.js';
import { usageFailure, validateTable } from './validate.js';

export const planUsage = `Usage: lynq plan [FILE…] --rows ROWS [--nodes NODES]      (offline)
       lynq plan [FILE…] --cluster [--rows ROWS]              (against a cluster)

Shows what the hub controller would do with the LynqHub and LynqForms in FILE (the changed
versions; - reads standard input): LynqNodes created, updated (and why: template, data, extras,
spec) and deleted (and why: RowDeleted, Deactivated, FormGone, Duplicate), the deletions the
deletion guard would hold and the changes maxSkew would leave for later, and for each changed
node its objects created, changed (field by field) or removed.

Offline, the hub comes from FILE, rows from --rows, and existing nodes from --nodes (for example
"kubectl get lynqnodes -o yaml"); without --nodes every node is new. With --cluster, whatever
FILE does not hold is read from the cluster (the hub named by the forms' hubId, the other forms
of its namespace, its nodes), rows through the hub's datasource (credentials from its Secret
references) unless --rows is given, and every object is applied with dryRun=All, so the diff is
the API server's (defaults, admission, conflicts with other field managers).

Options:
  --rows FILE                    rows as JSON/YAML (a list of objects) or CSV (header row),
                                 columns as in the database (the hub's mappings apply)
  --rows-format csv|json|yaml    format of --rows when its name does not say (stdin)
  --nodes FILE                   existing LynqNodes (offline)
  --hub NAME                     the hub to plan (when FILE holds several, or none)
  --cluster                      read and dry-run against the cluster of the kubeconfig
  --datasource-plugins PKG[,PKG] datasource plugin packages, as the operator's flag
  --allow-nunjucks               render templateSyntax: nunjucks forms (trusted forms only)
${CLUSTER_FLAGS_USAGE}

Exit status: 0 the plan was made, 1 findings (invalid objects, render or dry-run errors, the
datasource failed), 2 usage or unreadable input.`;

interface PlanFlags {
  files: string[];
  rows?: string | undefined;
  rowsFormat?: string | undefined;
  nodes?: string | undefined;
  hub?: string | undefined;
  cluster: boolean;
  plugins: string[];
  allowNunjucks: boolean;
  namespace?: string | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  format: OutputFormat;
  progress: boolean;
}

function flags(argv: string[]): PlanFlags | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...CLUSTER_FLAGS,
      rows: { type: 'string' },
      'rows-format': { type: 'string' },
      nodes: { type: 'string' },
      hub: { type: 'string' },
      cluster: { type: 'boolean' },
      'datasource-plugins': { type: 'string' },
      'allow-nunjucks': { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return 'help';
  const cluster = values.cluster === true;
  if (!cluster && !values.rows) throw new UsageError('--rows is required without --cluster');
  if (cluster && values.nodes)
    throw new UsageError('--nodes is for offline plans; --cluster reads the nodes');
  if (!cluster && (values.kubeconfig || values.context))
    throw new UsageError('--kubeconfig and --context need --cluster');
  if (values['rows-format'] && !['csv', 'json', 'yaml'].includes(values['rows-format']))
    throw new UsageError(
      `--rows-format: ${JSON.stringify(values['rows-format'])} is not csv, json or yaml`,
    );
  return {
    files: positionals,
    rows: values.rows,
    rowsFormat: values['rows-format'],
    nodes: values.nodes,
    hub: values.hub,
    cluster,
    plugins: (values['datasource-plugins'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    allowNunjucks: values['allow-nunjucks'] === true,
    namespace: values.namespace,
    kubeconfig: values.kubeconfig,
    context: values.context,
    format: outputFormat(values.output),
    progress: values.progress === true,
  };
}

/** Rows of a file through the hub's mappings, normalised as a datasource does (problems included). */
async function rowsFromFile(
  io: CommandIO,
  hub: LynqHub,
  path: string,
  format?: string,
): Promise<HubFetch> {
  const input = await readInput(io, path);
  let parsed;
  try {
    parsed = parseRows(input.text, input.name, format);
  } catch (err) {
    if (err instanceof CsvError || err instanceof RowsError)
      throw new UsageError(`${input.name}: ${err.message}`);
    throw err;
  }
  try {
    const fetched = normaliseRecords(
      parsed.rows,
      planColumns(hub.spec.valueMappings, hub.spec.extraValueMappings ?? {}),
      { table: input.name },
    );
    const lineOf = (n: number) => parsed.lines?.[n - 1];
    return {
      ok: true,
      rows: fetched.rows,
      problems: fetched.problems.map((p) => ({
        code: p.code,
        ...(p.uid ? { uid: p.uid } : {}),
        // Which rows, by line where the file has lines (CSV).
        message: parsed.lines
          ? `${p.message} (line${p.rowNumbers.length > 1 ? 's' : ''} ${p.rowNumbers.map(lineOf).join(', ')})`
          : p.message,
      })),
    };
  } catch (err) {
    if (isDatasourceError(err)) throw new UsageError(`${input.name}: ${err.message}`);
    throw err;
  }
}

/** The rows through the hub's datasource; a failure is data, as in the hub controller. */
async function rowsFromDatasource(
  cluster: Cluster,
  hub: LynqHub,
  plugins: readonly string[],
): Promise<HubFetch> {
  const namespace = hub.metadata.namespace ?? '';
  try {
    const registry = await datasourceRegistry(plugins);
    const ds = await registry.create({
      hub: { namespace, name: hub.metadata.name ?? '' },
      source: hub.spec.source,
      valueMappings: hub.spec.valueMappings,
      ...(hub.spec.extraValueMappings ? { extraValueMappings: hub.spec.extraValueMappings } : {}),
      resolveSecret: cluster.secrets(namespace),
      limits: { poolSize: 1 },
    });
    try {
      const result = await ds.fetchRows(AbortSignal.timeout(60_000));
      return {
        ok: true,
        rows: result.rows,
        problems: result.problems.map((p) => ({
          code: p.code,
          ...(p.uid ? { uid: p.uid } : {}),
          message: p.message,
        })),
      };
    } finally {
      await ds.close();
    }
  } catch (err) {
    if (err instanceof ClusterError || isDatasourceError(err))
      return { ok: false, error: { code: (err as { code: string }).code, message: err.message } };
    return {
      ok: false,
      error: { code: 'QUERY_FAILED', message: err instanceof Error ? err.message : String(err) },
    };
  }
}

/**
 * A changed form as the API server would store it: the live object's identity, and its
 * generation moved on when the spec changes (template-generation and maxSkew count it).
 */
export function asStored<T extends LynqForm | LynqHub>(changed: T, live: T | undefined): T {
  const generation = live
    ? (live.metadata.generation ?? 1) + (isDeepStrictEqual(live.spec, changed.spec) ? 0 : 1)
    : (changed.metadata.generation ?? 1);
  return {
    ...changed,
    metadata: {
      ...changed.metadata,
      ...(live?.metadata.uid ? { uid: live.metadata.uid } : {}),
      ...(live?.metadata.resourceVersion ? { resourceVersion: live.metadata.resourceVersion } : {}),
      generation,
    },
    ...(live && 'status' in live ? { status: live.status } : {}),
  } as T;
}

/** Scope of each kind the forms and nodes name, from discovery; unknown kinds: undefined. */
export async function discoverScopes(
  cluster: Cluster,
  forms: readonly LynqForm[],
  nodes: readonly LynqNode[],
): Promise<ScopeOf> {
  const kinds = new Set<string>();
  for (const f of forms)
    for (const { resource } of listResources(f.spec)) {
      const spec = resource.spec as { apiVersion?: unknown; kind?: unknown };
      if (typeof spec.apiVersion === 'string' && typeof spec.kind === 'string')
        kinds.add(`${spec.apiVersion}\u0000${spec.kind}`);
    }
  for (const n of nodes)
    for (const r of n.status?.appliedResourceRefs ?? [])
      kinds.add(`${r.apiVersion}\u0000${r.kind}`);
  const scopes = new Map<string, 'Namespaced' | 'Cluster' | undefined>();
  for (const k of kinds) {
    const [apiVersion = '', kind = ''] = k.split('\u0000');
    try {
      const m = await cluster.applier.restMapper.resolve(apiVersion, kind);
      scopes.set(k, m.namespaced ? 'Namespaced' : 'Cluster');
    } catch (err) {
      if ((err as { code?: string }).code !== 'UNKNOWN_KIND')
        throw new ClusterError(
          `discovery of ${apiVersion} ${kind} failed: ${(err as Error).message}`,
          { cause: err },
        );
      scopes.set(k, undefined);
    }
  }
  return (apiVersion, kind) => scopes.get(`${apiVersion}\u0000${kind}`);
}

/** The highest template-generation the form's existing nodes carry (1 without nodes). */
function nodesGeneration(form: LynqForm, nodes: readonly LynqNode[]): number {
  let max = 0;
  for (const n of nodes)
    if (n.spec?.templateRef === form.metadata.name) {
      const g = Number(n.metadata.annotations?.[Annotations.TemplateGeneration]);
      if (Number.isInteger(g) && g > max) max = g;
    }
  return max || 1;
}

export interface PlanObjectOut extends ObjectChangeOut {
  /** `render`: compared with today's render; `server`: live object vs the API server's dry run. */
  diffFrom: 'render' | 'server';
  deletionPolicy?: string;
}

export interface PlanNodeOut {
  name: string;
  form: string;
  uid: string;
  action: NodePreview['action'];
  reasons: string[];
  heldBy?: string;
  throttled?: boolean;
  errors: string[];
  objects: PlanObjectOut[];
}

export interface PlanResult {
  hub: { namespace: string; name: string };
  forms: { name: string; generation: number; maxSkew?: number }[];
  rows: { ok: boolean; active: number; inactive: number; problems: string[]; error?: string };
  nodes: PlanNodeOut[];
  unchanged: string[];
  renderErrors: string[];
  deletionGuard?: string;
  throttled: { form: string; count: number; maxSkew: number; updating: number }[];
  summary: {
    create: number;
    update: number;
    delete: number;
    held: number;
    throttled: number;
    unchanged: number;
    objects: { create: number; change: number; remove: number; error: number };
  };
}

function toOutput(
  hub: LynqHub,
  forms: readonly LynqForm[],
  fetch: HubFetch,
  preview: HubPreview,
): PlanResult {
  const nodes: PlanNodeOut[] = preview.nodes.map((n) => ({
    name: n.name,
    form: n.form,
    uid: n.uid,
    action: n.action,
    reasons: n.reasons,
    ...(n.heldBy !== undefined ? { heldBy: n.heldBy } : {}),
    ...(n.throttled ? { throttled: true } : {}),
    errors: n.errors,
    objects: n.objects.map((o) => ({
      ...objectChangeOut(o, maskChanges(o.key?.kind, o.changes)),
      diffFrom: 'render' as const,
      ...(o.deletionPolicy ? { deletionPolicy: o.deletionPolicy } : {}),
    })),
  }));
  const rows = fetch.ok ? fetch.rows : [];
  const result: PlanResult = {
    hub: { namespace: hub.metadata.namespace ?? '', name: hub.metadata.name ?? '' },
    forms: forms
      .filter((f) => f.spec.hubId === hub.metadata.name)
      .map((f) => ({
        name: f.metadata.name ?? '',
        generation: f.metadata.generation ?? 0,
        ...(f.spec.rollout?.maxSkew ? { maxSkew: f.spec.rollout.maxSkew } : {}),
      })),
    rows: {
      ok: fetch.ok,
      active: rows.filter((r) => r.active).length,
      inactive: rows.filter((r) => !r.active).length,
      problems: fetch.ok
        ? fetch.problems.map(
            (p) => (p as { message?: string }).message ?? `${p.code} ${p.uid ?? ''}`,
          )
        : [],
      ...(fetch.ok ? {} : { error: fetch.error.message }),
    },
    nodes,
    unchanged: preview.unchanged,
    renderErrors: preview.plan.renderErrors.map(
      (e) =>
        `${e.node}: ${e.resourceId ? `resource ${e.resourceId}: ` : ''}${e.path ? `${e.path}: ` : ''}${e.message}`,
    ),
    ...(preview.plan.held.length > 0 ? { deletionGuard: preview.plan.held[0]!.reason } : {}),
    throttled: preview.plan.throttled,
    summary: {
      create: 0,
      update: 0,
      delete: 0,
      held: 0,
      throttled: 0,
      unchanged: preview.unchanged.length,
      objects: { create: 0, change: 0, remove: 0, error: 0 },
    },
  };
  return result;
}

function summarise(result: PlanResult): void {
  const s = result.summary;
  for (const n of result.nodes) {
    if (n.heldBy !== undefined) s.held++;
    else if (n.throttled) s.throttled++;
    else s[n.action === 'unchanged' ? 'unchanged' : n.action]++;
    if (n.heldBy !== undefined || n.throttled) continue;
    for (const o of n.objects) {
      if (o.action === 'create') s.objects.create++;
      else if (o.action === 'change') s.objects.change++;
      else if (o.action === 'remove') s.objects.remove++;
      else if (o.action === 'error') s.objects.error++;
    }
  }
}

export function planTable(result: PlanResult): string {
  const out: string[] = [];
  const r = result.rows;
  out.push(
    `LynqHub ${result.hub.namespace ? `${result.hub.namespace}/` : ''}${result.hub.name}: ` +
      (r.ok
        ? `${r.active} active row${r.active === 1 ? '' : 's'}, ${r.inactive} inactive`
        : `rows could not be read: ${r.error ?? ''}`) +
      `; forms ${result.forms.map((f) => `${f.name} (generation ${f.generation}${f.maxSkew ? `, maxSkew ${f.maxSkew}` : ''})`).join(', ') || 'none'}`,
  );
  for (const p of r.problems) out.push(`  row problem: ${p}`);
  if (!r.ok) out.push('Nothing would be created, changed or deleted after a failed read.');
  for (const e of result.renderErrors) out.push(`! render error: ${e}`);
  if (result.deletionGuard) out.push(`Deletion guard: ${result.deletionGuard}`);
  for (const t of result.throttled)
    out.push(
      `maxSkew: form ${t.form} allows ${t.maxSkew} node${t.maxSkew === 1 ? '' : 's'} updating at once (${t.updating} already); ${t.count} change${t.count === 1 ? '' : 's'} wait for a later sync`,
    );
  for (const n of result.nodes) {
    const why = n.reasons.length ? ` (${n.reasons.join(', ')})` : '';
    const waits =
      n.heldBy !== undefined
        ? ' [held by the deletion guard]'
        : n.throttled
          ? ' [waits: maxSkew]'
          : '';
    out.push('');
    out.push(
      `${ACTION_SIGN[n.action] ?? '?'} LynqNode ${n.name}: ${n.action}${why}${waits}  form ${n.form}, uid ${n.uid}`,
    );
    for (const e of n.errors) out.push(`    ! ${e}`);
    for (const o of n.objects) {
      const policy =
        o.action === 'remove'
          ? o.deletionPolicy === 'Retain'
            ? ' (Retain: kept, marked orphaned)'
            : o.deletionPolicy
              ? ` (${o.deletionPolicy}: deleted)`
              : ''
          : '';
      out.push(
        `    ${ACTION_SIGN[o.action] ?? '?'} ${objectLabel(o)}: ${o.action}${policy}${o.error ? `: ${o.error}` : ''}`,
      );
      for (const c of o.changes) out.push(`        ${changeLine(c)}`);
    }
  }
  const s = result.summary;
  out.push('');
  out.push(
    `Plan: ${s.create} to create, ${s.update} to update, ${s.delete} to delete LynqNodes` +
      (s.held ? `, ${s.held} deletion${s.held === 1 ? '' : 's'} held by the deletion guard` : '') +
      (s.throttled
        ? `, ${s.throttled} change${s.throttled === 1 ? '' : 's'} waiting for maxSkew`
        : '') +
      `, ${s.unchanged} unchanged; objects: ${s.objects.create} to create, ${s.objects.change} to change, ${s.objects.remove} to remove` +
      (s.objects.error ? `, ${s.objects.error} with errors` : ''),
  );
  return out.join('\n');
}

export interface PlanRun {
  result: PlanResult;
  failed: boolean;
}

/** Fills each created or updated node's objects with the API server's dry-run diff. */
async function dryRunNodes(
  cluster: Cluster,
  preview: HubPreview,
  result: PlanResult,
  forms: readonly LynqForm[],
  scopeOf: ScopeOf,
  existing: readonly LynqNode[],
  allowNunjucks: boolean,
  say: Progress,
) {
  const formByName = new Map(forms.map((f) => [f.metadata.name ?? '', f]));
  const uidOf = new Map(existing.map((n) => [n.metadata.name ?? '', n.metadata.uid]));
  let done = 0;
  const total = preview.nodes.filter((n) => n.node).length;
  for (const [i, n] of preview.nodes.entries()) {
    if (!n.node) continue;
    say.say(`dry-run ${++done}/${total}: LynqNode ${n.name}`);
    const planned = renderNodeObjects(
      n.node as LynqNode,
      formByName.get(n.form),
      scopeOf,
      allowNunjucks,
    ).objects;
    const out = result.nodes[i]!;
    for (const o of out.objects) {
      if (!dryRunnable(o)) continue;
      const p = planned.find((x) => x.id === o.id);
      if (!p) continue;
      const node = {
        name: n.name,
        namespace: n.node.metadata.namespace ?? '',
        uid: uidOf.get(n.name),
      };
      await applyServerDiff(cluster, node, p, o);
      o.diffFrom = 'server';
    }
  }
}

async function run(io: CommandIO, f: PlanFlags): Promise<number> {
  const say = progress(io, f.progress);
  const inputs = await readInputs(io, f.files);
  const validation = { allowNunjucks: f.allowNunjucks };
  const loaded = await loadLynqObjects(inputs, validation);
  if (loaded.checked.errors > 0) {
    io.stderr(validateTable(loaded.checked));
    io.stderr('lynq plan: the objects above would be refused by the admission webhooks');
    return Exit.Findings;
  }
  let hub: LynqHub | undefined;
  const pickHub = (hubs: LynqHub[]) =>
    f.hub ? hubs.find((h) => h.metadata.name === f.hub) : hubs.length === 1 ? hubs[0] : undefined;
  if (!f.cluster) {
    if (loaded.hubs.length > 1 && !f.hub)
      throw new UsageError('the files hold several LynqHubs: choose one with --hub');
    hub = pickHub(loaded.hubs);
    if (!hub)
      throw new UsageError(
        f.hub
          ? `no LynqHub ${f.hub} in the files`
          : 'offline, the files must hold the LynqHub (or plan with --cluster)',
      );
    const namespace = f.namespace ?? hub.metadata.namespace ?? 'default';
    hub = { ...hub, metadata: { ...hub.metadata, namespace } };
    const fetch = await rowsFromFile(io, hub, f.rows!, f.rowsFormat);
    const existing = f.nodes
      ? loadNodes(await readInput(io, f.nodes)).map((n) => ({
          ...n,
          metadata: { ...n.metadata, namespace: n.metadata.namespace ?? namespace },
        }))
      : [];
    const plan = (forms: LynqForm[]) =>
      previewHub({
        hub: hub!,
        forms,
        fetch,
        existing,
        now: new Date(),
        allowNunjucks: f.allowNunjucks,
      });
    let forms = loaded.forms.map((form) => ({
      ...form,
      metadata: {
        ...form.metadata,
        namespace: form.metadata.namespace ?? namespace,
        generation: form.metadata.generation ?? nodesGeneration(form, existing),
      },
    }));
    let preview = plan(forms);
    // A form file without a generation: the API server moves it when the spec changes, that is
    // when the form would change what its nodes hold.
    const moved = new Set(
      preview.nodes.filter((n) => n.reasons.includes('spec')).map((n) => n.form),
    );
    if (
      loaded.forms.some(
        (fm) => fm.metadata.generation === undefined && moved.has(fm.metadata.name ?? ''),
      )
    ) {
      forms = forms.map((fm, i) =>
        loaded.forms[i]!.metadata.generation === undefined &&
        moved.has(fm.metadata.name ?? '') &&
        existing.length > 0
          ? { ...fm, metadata: { ...fm.metadata, generation: fm.metadata.generation + 1 } }
          : fm,
      );
      preview = plan(forms);
    }
    const result = toOutput(hub, forms, fetch, preview);
    summarise(result);
    return print(io, f.format, result);
  }

  say.say('connecting to the cluster');
  const cluster = await Cluster.connect({
    kubeconfig: f.kubeconfig,
    context: f.context,
    ...(io.env ? { env: io.env } : {}),
  });
  try {
    const namespace =
      f.namespace ??
      loaded.hubs[0]?.metadata.namespace ??
      loaded.forms[0]?.metadata.namespace ??
      'default';
    const hubName = f.hub ?? loaded.hubs[0]?.metadata.name ?? loaded.forms[0]?.spec.hubId;
    if (!hubName) throw new UsageError('name the hub: give a LynqHub or LynqForm file, or --hub');
    const liveHub = await cluster.get<LynqHub>(HubType, namespace, hubName);
    const fileHub = loaded.hubs.find((h) => h.metadata.name === hubName);
    if (!liveHub && !fileHub)
      throw new ClusterError(
        `LynqHub ${namespace}/${hubName} does not exist (and no file holds it)`,
      );
    // The cluster's objects are parsed as the operator parses them (defaults applied).
    const { parseHub, parseForm } = await import('@lynq/api');
    const liveHubParsed = liveHub ? parseHub(liveHub) : undefined;
    const liveHubValue = liveHubParsed?.ok ? liveHubParsed.value : undefined;
    hub = fileHub
      ? asStored({ ...fileHub, metadata: { ...fileHub.metadata, namespace } }, liveHubValue)
      : liveHubValue;
    if (!hub)
      throw new ClusterError(
        `LynqHub ${namespace}/${hubName} in the cluster is invalid: ${liveHubParsed && !liveHubParsed.ok ? liveHubParsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ') : ''}`,
      );
    say.say(`reading the forms and nodes of ${namespace}/${hubName}`);
    const liveForms = (await cluster.forms(namespace))
      .map((o) => parseForm(o))
      .flatMap((p) => (p.ok ? [p.value] : []));
    const forms = liveForms.filter(
      (lf) => !loaded.forms.some((ff) => ff.metadata.name === lf.metadata.name),
    );
    for (const ff of loaded.forms) {
      const live = liveForms.find((lf) => lf.metadata.name === ff.metadata.name);
      forms.push(asStored({ ...ff, metadata: { ...ff.metadata, namespace } }, live));
    }
    const existing = await cluster.nodesOfHub(hub);
    say.say(
      f.rows
        ? `reading rows from ${f.rows}`
        : `reading rows through the ${hub.spec.source.type} datasource`,
    );
    const fetch = f.rows
      ? await rowsFromFile(io, hub, f.rows, f.rowsFormat)
      : await rowsFromDatasource(cluster, hub, f.plugins);
    const scopeOf = await discoverScopes(cluster, forms, existing);
    const preview = previewHub({
      hub,
      forms,
      fetch,
      existing,
      now: new Date(),
      scopeOf,
      allowNunjucks: f.allowNunjucks,
      ...(await workloadsReady(forms, existing, (ref) => cluster.object(ref)).then((w) =>
        w ? { workloadsReady: w } : {},
      )),
    });
    const result = toOutput(hub, forms, fetch, preview);
    await dryRunNodes(cluster, preview, result, forms, scopeOf, existing, f.allowNunjucks, say);
    summarise(result);
    return print(io, f.format, result);
  } finally {
    cluster.close();
  }
}

function print(io: CommandIO, format: OutputFormat, result: PlanResult): number {
  io.stdout(formatData(format, result) ?? planTable(result));
  const failed =
    !result.rows.ok ||
    result.renderErrors.length > 0 ||
    result.nodes.some((n) => n.errors.length > 0 || n.objects.some((o) => o.action === 'error'));
  return failed ? Exit.Findings : Exit.Ok;
}

export const plan: Command = async (argv, io) => {
  let f;
  try {
    f = flags(argv);
  } catch (err) {
    return usageFailure(io, 'plan', err, planUsage);
  }
  if (f === 'help') {
    io.stdout(planUsage);
    return Exit.Ok;
  }
  try {
    return await run(io, f);
  } catch (err) {
    if (err instanceof ClusterError) {
      io.stderr(`lynq plan: ${err.message}`);
      return Exit.Findings;
    }
    return usageFailure(io, 'plan', err);
  }
};
