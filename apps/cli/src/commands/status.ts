// lynq status: hub → forms → nodes → resources, with readiness and the reason, like flux tree.
// Hubs, forms and nodes say it with their Ready/Valid conditions (what the operator wrote); each
// resource is read live and judged with @lynq/policy's readiness rules (those the node
// controller applies; readyWhen expressions are not evaluated here).
import { parseArgs } from 'node:util';
import { Labels, type LynqForm, type LynqHub, type LynqNode } from '@lynq/api';
import { hubLabelValue } from '@lynq/plan';
import { checkReadiness } from '@lynq/policy';
import { Cluster, ClusterError, NodeType } from '../cluster.js';
import { CLUSTER_FLAGS, CLUSTER_FLAGS_USAGE } from '../cluster-flags.js';
import { Exit, UsageError, type Command, type CommandIO } from '../command.js';
import { formatData, outputFormat } from '../output.js';
import { progress } from '../progress.js';
import { usageFailure } from './validate.js';

export const statusUsage = `Usage: lynq status [HUB] [options]

Prints a tree of every LynqHub of the namespace (or only HUB) → its LynqForms → their LynqNodes
→ the objects each node applied, with readiness and the reason it is not ready.

Options:
  --problems                     only what is failing (and the path to it)
  -A, --all-namespaces           hubs of every namespace
  --no-resources                 stop at the nodes (no read of each object)
${CLUSTER_FLAGS_USAGE}

Exit status: 0 everything ready, 1 something is not ready (or the cluster could not be read),
2 usage.`;

export interface StatusItem {
  kind: string;
  namespace?: string;
  name: string;
  /** Ready (hubs, nodes, objects) or Valid (forms). */
  ready: boolean;
  reason: string;
  message?: string;
  /** e.g. "3/3 ready" */
  summary?: string;
  children: StatusItem[];
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function condition(obj: { status?: unknown }, type: string): Condition | undefined {
  const conditions = (obj.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
  return conditions.find((c) => c.type === type);
}

function verdictOf(
  obj: { status?: unknown },
  type: string,
): Pick<StatusItem, 'ready' | 'reason' | 'message'> {
  const c = condition(obj, type);
  if (!c) return { ready: false, reason: 'NoStatus', message: `no ${type} condition yet` };
  return {
    ready: c.status === 'True',
    reason: c.reason ?? c.status,
    ...(c.message ? { message: c.message } : {}),
  };
}

/** Keeps what is not ready, and the ancestors of anything not ready. */
export function onlyProblems(items: readonly StatusItem[]): StatusItem[] {
  const out: StatusItem[] = [];
  for (const item of items) {
    const children = onlyProblems(item.children);
    if (!item.ready || children.length > 0) out.push({ ...item, children });
  }
  return out;
}

export function countProblems(items: readonly StatusItem[]): number {
  return items.reduce((n, i) => n + (i.ready ? 0 : 1) + countProblems(i.children), 0);
}

export function statusTree(items: readonly StatusItem[]): string {
  const lines: string[] = [];
  const walk = (list: readonly StatusItem[], prefix: string, top: boolean) => {
    list.forEach((item, i) => {
      const last = i === list.length - 1;
      const branch = top ? '' : last ? '└── ' : '├── ';
      const name = `${item.kind} ${item.namespace ? `${item.namespace}/` : ''}${item.name}`;
      const state = item.ready ? `✔ ${item.reason}` : `✖ ${item.reason}`;
      const extra = [item.summary, item.message].filter(Boolean).join(' — ');
      lines.push(`${prefix}${branch}${name}  ${state}${extra ? `: ${extra}` : ''}`);
      walk(item.children, top ? prefix : `${prefix}${last ? '    ' : '│   '}`, false);
    });
  };
  walk(items, '', true);
  return lines.join('\n');
}

async function run(io: CommandIO, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...CLUSTER_FLAGS,
      problems: { type: 'boolean' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      'no-resources': { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(statusUsage);
    return Exit.Ok;
  }
  const format = outputFormat(values.output);
  if (positionals.length > 1) throw new UsageError('at most one HUB');
  if (values['all-namespaces'] && values.namespace)
    throw new UsageError('--namespace and --all-namespaces exclude each other');
  const namespace = values['all-namespaces'] ? undefined : (values.namespace ?? 'default');
  const say = progress(io, values.progress);
  const cluster = await Cluster.connect({
    kubeconfig: values.kubeconfig,
    context: values.context,
    ...(io.env ? { env: io.env } : {}),
  });
  try {
    let hubs = await cluster.hubs(namespace);
    if (positionals[0] !== undefined) {
      hubs = hubs.filter((h) => h.metadata.name === positionals[0]);
      if (hubs.length === 0)
        throw new ClusterError(`LynqHub ${namespace ?? '*'}/${positionals[0]} does not exist`);
    }
    const forms = await cluster.forms(namespace);
    const nodes = await cluster.list<LynqNode>(NodeType, namespace);
    const tree: StatusItem[] = [];
    for (const hub of hubs.sort((a, b) =>
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    )) {
      say.say(`LynqHub ${hub.metadata.namespace}/${hub.metadata.name}`);
      tree.push(await hubItem(cluster, hub, forms, nodes, values['no-resources'] !== true));
    }
    const shown = values.problems ? onlyProblems(tree) : tree;
    const problems = countProblems(tree);
    const data = { items: shown, problems };
    io.stdout(
      formatData(format, data) ??
        (shown.length > 0
          ? statusTree(shown)
          : values.problems
            ? 'No problems.'
            : `No LynqHubs${namespace ? ` in ${namespace}` : ''}.`),
    );
    return problems > 0 ? Exit.Findings : Exit.Ok;
  } finally {
    cluster.close();
  }
}

async function hubItem(
  cluster: Cluster,
  hub: LynqHub,
  forms: LynqForm[],
  nodes: LynqNode[],
  resources: boolean,
): Promise<StatusItem> {
  const ns = hub.metadata.namespace ?? '';
  const s = (hub.status ?? {}) as { desired?: number; ready?: number; failed?: number };
  const label = hubLabelValue(hub.metadata.name ?? '');
  const hubNodes = nodes.filter(
    (n) =>
      n.metadata.namespace === ns &&
      (n.metadata.labels?.[Labels.Hub] === label ||
        (n.metadata.ownerReferences ?? []).some(
          (r) => r.controller === true && r.uid === hub.metadata.uid,
        )),
  );
  const children: StatusItem[] = [];
  for (const form of forms.filter(
    (f) => f.metadata.namespace === ns && f.spec?.hubId === hub.metadata.name,
  )) {
    const formNodes = hubNodes.filter((n) => n.spec?.templateRef === form.metadata.name);
    const nodeItems: StatusItem[] = [];
    for (const node of formNodes.sort((a, b) =>
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    ))
      nodeItems.push(await nodeItem(cluster, node, resources));
    const fs = (form.status ?? {}) as { totalNodes?: number; readyNodes?: number };
    children.push({
      kind: 'LynqForm',
      name: form.metadata.name ?? '',
      ...verdictOf(form, 'Valid'),
      summary: `${fs.readyNodes ?? nodeItems.filter((n) => n.ready).length}/${fs.totalNodes ?? nodeItems.length} nodes ready`,
      children: nodeItems,
    });
  }
  return {
    kind: 'LynqHub',
    namespace: ns,
    name: hub.metadata.name ?? '',
    ...verdictOf(hub, 'Ready'),
    summary: `${s.ready ?? 0}/${s.desired ?? 0} nodes ready${s.failed ? `, ${s.failed} failed` : ''}`,
    children,
  };
}

async function nodeItem(cluster: Cluster, node: LynqNode, resources: boolean): Promise<StatusItem> {
  const st = node.status ?? {};
  const children: StatusItem[] = [];
  if (resources)
    for (const ref of st.appliedResourceRefs ?? []) {
      const live = await cluster.object(ref);
      const v = checkReadiness(live ?? undefined);
      children.push({
        kind: ref.kind,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        name: ref.name,
        ready: v.ready,
        reason: v.reason,
        ...(v.ready || !v.message ? {} : { message: v.message }),
        children: [],
      });
    }
  return {
    kind: 'LynqNode',
    name: node.metadata.name ?? '',
    ...verdictOf(node, 'Ready'),
    summary: `${st.readyResources ?? 0}/${st.desiredResources ?? 0} resources ready`,
    children,
  };
}

export const status: Command = async (argv, io) => {
  try {
    return await run(io, argv);
  } catch (err) {
    if (err instanceof ClusterError) {
      io.stderr(`lynq status: ${err.message}`);
      return Exit.Findings;
    }
    return usageFailure(io, 'status', err, err instanceof UsageError ? statusUsage : undefined);
  }
};
