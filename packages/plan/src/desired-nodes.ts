// Phase 1 of the hub plan: which LynqNodes the rows and forms ask for, with their variables.
import type { LynqForm, LynqHub } from '@lynq/api';
import { buildVariables, type RenderSource, type TemplateVariables } from '@lynq/render';
import { compareCodePoints } from './go-json.js';
import { hubRenderSource } from './hub-render-source.js';
import { hashedNodeName, nodeName } from './node-name.js';
import type { FetchedRows, PlanRow } from './rows.js';

/** One desired LynqNode: a form × an active row. */
export interface DesiredEntry {
  /** `{form}/{uid}`: identifies the entry (a form name has no '/'); key of its render outcome. */
  id: string;
  form: string;
  uid: string;
  namespace: string;
  /** The name a new node gets (see nodeName); an existing node keeps its own. */
  name: string;
  row: PlanRow;
  /** The variables of the hub-level templates (reference §4), as the node will see them too. */
  variables: TemplateVariables;
}

/** A form of the hub and what to render for its nodes. */
export interface DesiredForm {
  name: string;
  form: LynqForm;
  /** Render this with each entry's variables (see hubRenderSource). */
  source: RenderSource;
}

export interface DesiredNodes {
  forms: DesiredForm[];
  /** Sorted by form, then uid. */
  entries: DesiredEntry[];
  /** Uids whose nodes must be kept as they are: reported problems and uids seen twice. */
  protectedUids: ReadonlySet<string>;
  /** A problem named no uid: no deletion is safe this sync. */
  unidentifiedRows: boolean;
}

/** The forms of a hub: same namespace and `spec.hubId` == the hub's name, sorted, one per name. */
export function formsOfHub(hub: LynqHub, forms: readonly LynqForm[]): LynqForm[] {
  const byName = new Map<string, LynqForm>();
  for (const form of forms) {
    const name = form.metadata.name;
    if (!name || form.spec.hubId !== hub.metadata.name) continue;
    if ((form.metadata.namespace ?? '') !== (hub.metadata.namespace ?? '')) continue;
    if (!byName.has(name)) byName.set(name, form);
  }
  return [...byName.values()].sort((a, b) =>
    compareCodePoints(a.metadata.name ?? '', b.metadata.name ?? ''),
  );
}

/**
 * Every form × active row of a complete fetch, in a stable order, with the node variables and
 * the proposed node name. Rows of problem uids (duplicates, empty or undecodable uids) produce
 * nothing and protect their uid's existing nodes. When two entries would get the same Lynq name
 * (`a-b` + form `c` and `a` + form `b-c`), both get hashed names instead.
 */
export function desiredNodes(
  hub: LynqHub,
  forms: readonly LynqForm[],
  fetch: FetchedRows,
): DesiredNodes {
  const hubName = hub.metadata.name ?? '';
  const namespace = hub.metadata.namespace ?? '';
  const protectedUids = new Set<string>();
  let unidentifiedRows = false;
  for (const problem of fetch.problems) {
    if (problem.uid === undefined) unidentifiedRows = true;
    else protectedUids.add(problem.uid);
  }
  const seen = new Set<string>();
  for (const row of fetch.rows) {
    if (seen.has(row.uid)) protectedUids.add(row.uid);
    seen.add(row.uid);
  }
  const rows = fetch.rows
    .filter((row) => row.active && !protectedUids.has(row.uid))
    .sort((a, b) => compareCodePoints(a.uid, b.uid));

  const hubForms = formsOfHub(hub, forms);
  const entries: DesiredEntry[] = [];
  for (const form of hubForms) {
    const formName = form.metadata.name ?? '';
    for (const row of rows) {
      const input: Parameters<typeof buildVariables>[0] = {
        uid: row.uid,
        activate: row.activate,
        hubId: hubName,
        templateRef: formName,
        extra: row.extras,
      };
      if (row.hostOrUrl !== undefined) input.hostOrUrl = row.hostOrUrl;
      entries.push({
        id: `${formName}/${row.uid}`,
        form: formName,
        uid: row.uid,
        namespace,
        name: nodeName(row.uid, formName),
        row,
        variables: buildVariables(input),
      });
    }
  }

  const byName = new Map<string, DesiredEntry[]>();
  for (const entry of entries) {
    const group = byName.get(entry.name);
    if (group) group.push(entry);
    else byName.set(entry.name, [entry]);
  }
  for (const group of byName.values())
    if (group.length > 1)
      for (const entry of group) entry.name = hashedNodeName(entry.uid, entry.form);

  return {
    forms: hubForms.map((form) => ({
      name: form.metadata.name ?? '',
      form,
      source: hubRenderSource(form),
    })),
    entries,
    protectedUids,
    unidentifiedRows,
  };
}
