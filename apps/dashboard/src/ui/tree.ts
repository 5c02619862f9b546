// Pure: the topology's visible rows (hub → form → node → resource) from the summaries, the
// expanded set, the search text and problem mode. The list component draws only the rows in view.
import type { FormSummary, Health, HubSummary, NodeSummary, ResourceState } from '../view-model.js';

export type RowKind = 'hub' | 'form' | 'node' | 'resource';

export interface Row {
  /** Unique key: `hub:ns/name`, `form:ns/name`, `node:ns/name`, `res:ns/name/id`. */
  key: string;
  kind: RowKind;
  level: 1 | 2 | 3 | 4;
  label: string;
  detail: string;
  health: Health | ResourceState;
  /** The detail page, if any. */
  href?: string;
  expandable: boolean;
  expanded: boolean;
  parent?: string;
  posInSet: number;
  setSize: number;
  /** What is wrong, shown in problem mode and on hover. */
  message?: string;
}

export interface TreeInput {
  hubs: ReadonlyMap<string, HubSummary>;
  forms: ReadonlyMap<string, FormSummary>;
  nodes: ReadonlyMap<string, NodeSummary>;
}

export interface TreeOptions {
  expanded: ReadonlySet<string>;
  search: string;
  problemMode: boolean;
}

/** The grouping, computed once per store version and reused while the user expands/searches. */
export interface Grouped {
  hubs: Array<{ hub: HubSummary; forms: Array<{ form: FormSummary; nodes: NodeSummary[] }> }>;
}

const byName = <T extends { name: string; namespace: string }>(a: T, b: T) =>
  a.namespace === b.namespace
    ? a.name < b.name
      ? -1
      : a.name > b.name
        ? 1
        : 0
    : a.namespace < b.namespace
      ? -1
      : 1;

function missingHub(namespace: string, name: string): HubSummary {
  return {
    id: `${namespace}/${name}`,
    namespace,
    name,
    sourceType: '',
    syncInterval: '',
    health: 'failed',
    message: `LynqHub ${namespace}/${name} does not exist`,
    desired: 0,
    ready: 0,
    failed: 0,
    forms: 0,
  };
}

function missingForm(namespace: string, name: string, hubId: string): FormSummary {
  return {
    id: `${namespace}/${name}`,
    namespace,
    name,
    hubId,
    health: 'failed',
    message: `LynqForm ${namespace}/${name} does not exist`,
    valid: false,
    totalNodes: 0,
    readyNodes: 0,
    resources: 0,
  };
}

export function group(input: TreeInput): Grouped {
  const hubs = new Map<string, HubSummary>(input.hubs);
  const forms = new Map<string, FormSummary>(input.forms);
  const nodesByForm = new Map<string, NodeSummary[]>();
  for (const n of input.nodes.values()) {
    const formId = `${n.namespace}/${n.form}`;
    if (!forms.has(formId)) forms.set(formId, missingForm(n.namespace, n.form, n.hub));
    let list = nodesByForm.get(formId);
    if (list === undefined) nodesByForm.set(formId, (list = []));
    list.push(n);
  }
  const formsByHub = new Map<string, FormSummary[]>();
  for (const f of forms.values()) {
    const hubId = `${f.namespace}/${f.hubId}`;
    if (!hubs.has(hubId)) hubs.set(hubId, missingHub(f.namespace, f.hubId));
    let list = formsByHub.get(hubId);
    if (list === undefined) formsByHub.set(hubId, (list = []));
    list.push(f);
  }
  return {
    hubs: [...hubs.values()].sort(byName).map((hub) => ({
      hub,
      forms: (formsByHub.get(hub.id) ?? []).sort(byName).map((form) => ({
        form,
        nodes: (nodesByForm.get(form.id) ?? []).sort(byName),
      })),
    })),
  };
}

const enc = (s: string) => s.split('/').map(encodeURIComponent).join('/');

export function nodeMatches(n: NodeSummary, q: string): boolean {
  return (
    n.name.toLowerCase().includes(q) ||
    n.uid.toLowerCase().includes(q) ||
    n.resources.some(
      (r) => r.id.toLowerCase().includes(q) || (r.name ?? '').toLowerCase().includes(q),
    )
  );
}

/**
 * The rows to show. Normal mode: what the user expanded. Search: paths to matching nodes (and
 * hubs/forms whose name matches), expanded. Problem mode: only failed hubs, forms and nodes, with
 * every path to them expanded down to the failing resources.
 */
export function visibleRows(g: Grouped, o: TreeOptions): Row[] {
  const q = o.search.trim().toLowerCase();
  const filtering = q !== '' || o.problemMode;
  const rows: Row[] = [];
  const hubEntries = g.hubs
    .map((h) => {
      const hubHit = q !== '' && h.hub.name.toLowerCase().includes(q);
      const forms = h.forms
        .map((f) => {
          const formHit = hubHit || (q !== '' && f.form.name.toLowerCase().includes(q));
          const nodes = f.nodes.filter(
            (n) =>
              (!o.problemMode || n.health === 'failed') &&
              (q === '' || formHit || nodeMatches(n, q)),
          );
          const formProblem = o.problemMode && f.form.health === 'failed';
          const keep =
            !filtering ||
            nodes.length > 0 ||
            formProblem ||
            (q !== '' && formHit && !o.problemMode);
          return keep ? { form: f.form, nodes } : undefined;
        })
        .filter((f) => f !== undefined);
      const hubProblem = o.problemMode && h.hub.health === 'failed';
      const keep = !filtering || forms.length > 0 || hubProblem || (hubHit && !o.problemMode);
      return keep ? { hub: h.hub, forms } : undefined;
    })
    .filter((h) => h !== undefined);

  hubEntries.forEach((h, hi) => {
    const hubKey = `hub:${h.hub.id}`;
    const hubOpen = filtering || o.expanded.has(hubKey);
    rows.push({
      key: hubKey,
      kind: 'hub',
      level: 1,
      label: h.hub.name,
      detail: `${h.hub.namespace} · ${h.hub.sourceType || 'missing'} · ${h.hub.ready}/${h.hub.desired} ready`,
      health: h.hub.health,
      href: `/hubs/${enc(h.hub.id)}`,
      expandable: h.forms.length > 0,
      expanded: hubOpen && h.forms.length > 0,
      posInSet: hi + 1,
      setSize: hubEntries.length,
      ...(h.hub.health === 'failed' ? { message: h.hub.message } : {}),
    });
    if (!hubOpen) return;
    h.forms.forEach((f, fi) => {
      const formKey = `form:${f.form.id}`;
      const formOpen = filtering || o.expanded.has(formKey);
      rows.push({
        key: formKey,
        kind: 'form',
        level: 2,
        label: f.form.name,
        detail: `${f.form.readyNodes}/${f.form.totalNodes} nodes ready · ${f.form.resources} resources${f.form.rollout?.phase === 'InProgress' ? ' · rolling out' : ''}`,
        health: f.form.health,
        href: `/forms/${enc(f.form.id)}`,
        expandable: f.nodes.length > 0,
        expanded: formOpen && f.nodes.length > 0,
        parent: hubKey,
        posInSet: fi + 1,
        setSize: h.forms.length,
        ...(f.form.health === 'failed' ? { message: f.form.message } : {}),
      });
      if (!formOpen) return;
      f.nodes.forEach((n, ni) => {
        const nodeKey = `node:${n.id}`;
        const nodeOpen = o.problemMode || o.expanded.has(nodeKey);
        const resources = o.problemMode
          ? n.resources.filter((r) => r.state === 'failed' || r.state === 'skipped')
          : n.resources;
        rows.push({
          key: nodeKey,
          kind: 'node',
          level: 3,
          label: n.name,
          detail: `uid ${n.uid} · ${n.ready}/${n.desired} ready${n.deleting ? ' · deleting' : ''}`,
          health: n.health,
          href: `/nodes/${enc(n.id)}`,
          expandable: resources.length > 0,
          expanded: nodeOpen && resources.length > 0,
          parent: formKey,
          posInSet: ni + 1,
          setSize: f.nodes.length,
          ...(n.message !== '' ? { message: n.message } : {}),
        });
        if (!nodeOpen) return;
        resources.forEach((r, ri) => {
          rows.push({
            key: `res:${n.id}/${r.id}`,
            kind: 'resource',
            level: 4,
            label: r.id,
            detail: `${r.kind}${r.name !== undefined ? ` ${r.namespace !== undefined ? `${r.namespace}/` : ''}${r.name}` : ''}`,
            health: r.state,
            href: `/nodes/${enc(n.id)}#res-${encodeURIComponent(r.id)}`,
            expandable: false,
            expanded: false,
            parent: nodeKey,
            posInSet: ri + 1,
            setSize: resources.length,
            ...(r.message !== undefined ? { message: r.message } : {}),
          });
        });
      });
    });
  });
  return rows;
}

/** Hubs and forms start expanded; nodes collapsed (their resources are one click away). */
export function defaultExpanded(g: Grouped): Set<string> {
  const s = new Set<string>();
  for (const h of g.hubs) {
    s.add(`hub:${h.hub.id}`);
    for (const f of h.forms) s.add(`form:${f.form.id}`);
  }
  return s;
}
