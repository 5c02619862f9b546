// The node controller's plan (reference §3.3): variables → what to render → objects by
// dependency level, with their policies, and the orphans to clean up.
import {
  listResources,
  type AppliedResourceRef,
  type LynqNode,
  type ResourceListKey,
  type TResource,
} from '@lynq/api';
import { buildGraph, type ResourceGraph } from '@lynq/graph';
import { checkTarget, DEFAULT_TARGET_POLICY, type TargetPolicy } from '@lynq/policy';
import {
  resourcePolicies,
  type FormRenderResult,
  type Manifest,
  type RenderSource,
  type RenderedResource,
  type ResourcePolicies,
  type TemplateSyntax,
  type TemplateVariables,
} from '@lynq/render';
import { NodePlanError } from './node-plan-error.js';
import { nodeVariables } from './node-variables.js';
import {
  fromAppliedRef,
  groupOf,
  objectIdentity,
  parseAppliedResource,
  resourceKey,
  type ResourceKey,
  type ScopeOf,
} from './resource-key.js';

/** Where the template syntax comes from when the node's spec does not say: the form. */
export type SyntaxSource =
  { syntax: TemplateSyntax } | { spec: { templateSyntax?: TemplateSyntax | undefined } };

export interface PlanNodeOptions {
  /**
   * The apiVersions the API server serves a kind under, preferred first (from discovery). Only
   * used to read entries of Lynq's `status.appliedResources`, which carry no apiVersion.
   */
  versionsOfKind?: (kind: string) => readonly string[];
  /**
   * Where the node's objects may land (namespaces, cluster-scoped kinds); an object outside it
   * fails with `TargetRefused` and is not applied. Default: DEFAULT_TARGET_POLICY.
   */
  targets?: TargetPolicy;
}

/** A problem that keeps one object from being applied. */
export interface NodeObjectError {
  resourceId: string;
  /** Field path in the node, e.g. `spec.deployments[0].spec.spec.replicas`. */
  path: string;
  code: 'TemplateError' | 'UnknownKind' | 'NotRendered' | 'InvalidName' | 'TargetRefused';
  message: string;
}

/** One object of the node, ready for the applier. */
export interface PlannedObject {
  id: string;
  listKey: ResourceListKey;
  /** Field path of the resource in the node, e.g. `spec.deployments[0]`. */
  path: string;
  /** Its dependency level: level n only depends on levels < n. */
  level: number;
  dependIds: string[];
  policies: Readonly<ResourcePolicies>;
  /** Present when the object rendered and its kind is served. */
  key?: ResourceKey;
  scope?: 'Namespaced' | 'Cluster';
  /** The object to apply (cluster-scoped ones without metadata.namespace); absent on errors. */
  manifest?: Manifest;
  errors: NodeObjectError[];
}

/** An applied object that cannot be named exactly (a Lynq entry without apiVersion): reported, never deleted. */
export interface UnresolvedApplied {
  entry: string;
  reason: string;
}

export interface NodeObjects {
  /** Objects by dependency level; within a level, sorted by id (apply them in parallel). */
  levels: PlannedObject[][];
  /** Every object of `levels`, in apply order. */
  objects: PlannedObject[];
  /**
   * What the node manages now, for `status.appliedResourceRefs` / `appliedResources`: every
   * rendered object, plus the previously applied objects of resources that failed to render
   * (kept until the resource renders again or leaves the form).
   */
  tracked: ResourceKey[];
  /** Previously applied objects no resource renders any more: delete or retain them per their policy. */
  orphans: ResourceKey[];
  unresolved: UnresolvedApplied[];
  errors: NodeObjectError[];
}

export type NodePlan =
  | {
      ok: true;
      variables: TemplateVariables;
      /** Render this (the node's spec copy: a node still on an older form generation keeps it). */
      source: RenderSource;
      syntax: TemplateSyntax;
      /** The node's namespace: where resources without targetNamespace go. */
      namespace: string;
      graph: ResourceGraph<TResource>;
      /** Turns the render of `source` with `variables` into objects by level and orphans. */
      objects(rendered: FormRenderResult, scopeOf: ScopeOf): NodeObjects;
    }
  | { ok: false; error: NodePlanError };

function syntaxOf(node: LynqNode, form: SyntaxSource | undefined): TemplateSyntax {
  if (node.spec?.templateSyntax) return node.spec.templateSyntax;
  if (form && 'syntax' in form) return form.syntax;
  return form?.spec.templateSyntax ?? 'go';
}

/**
 * Plans a LynqNode: its variables (see nodeVariables), what to render and the dependency graph of
 * its resources. A bad `lynq.sh/extra` annotation is a VariablesBuildError and a broken graph a
 * DependencyError (as Ready reasons). `form` supplies the template syntax when the node's spec
 * does not carry it.
 */
export function planNode(
  node: LynqNode,
  form?: SyntaxSource,
  options: PlanNodeOptions = {},
): NodePlan {
  const vars = nodeVariables(node);
  if (!vars.ok) return vars;
  const spec = node.spec!;
  const entries = listResources(spec);
  const built = buildGraph(entries.map((e) => e.resource));
  if (!built.ok) {
    const details = built.errors.map((e) => {
      const entry = entries[e.index];
      return entry ? `${entry.path}: ${e.message}` : e.message;
    });
    return {
      ok: false,
      error: new NodePlanError(
        'DependencyError',
        'spec',
        `dependency validation failed: ${built.errors.map((e) => e.message).join('; ')}`,
        details,
      ),
    };
  }
  const graph = built.graph;
  const syntax = syntaxOf(node, form);
  const namespace = node.metadata.namespace ?? '';
  const lists: RenderSource['spec'] = { templateSyntax: syntax };
  for (const { listKey } of entries) lists[listKey] ??= spec[listKey];
  const source: RenderSource = { spec: lists };
  return {
    ok: true,
    variables: vars.variables,
    source,
    syntax,
    namespace,
    graph,
    objects: (rendered, scopeOf) =>
      nodeObjects(node, entries, graph, namespace, rendered, scopeOf, options),
  };
}

function plannedObject(
  entry: { listKey: ResourceListKey; path: string; resource: TResource },
  level: number,
  rendered: RenderedResource | undefined,
  namespace: string,
  scopeOf: ScopeOf,
  targets: TargetPolicy,
): PlannedObject {
  const r = entry.resource;
  if (!rendered)
    return {
      id: r.id,
      listKey: entry.listKey,
      path: entry.path,
      level,
      dependIds: [...(r.dependIds ?? [])],
      // Policies as renderForm reports them, so a missing render still carries the defaults.
      policies: resourcePolicies(r),
      errors: [
        {
          resourceId: r.id,
          path: entry.path,
          code: 'NotRendered',
          message: 'the render has no such resource: it was rendered from another spec',
        },
      ],
    };
  const out: PlannedObject = {
    id: r.id,
    listKey: entry.listKey,
    path: entry.path,
    level,
    dependIds: [...rendered.dependIds],
    policies: rendered.policies,
    errors: rendered.errors.map((e) => ({
      resourceId: e.resourceId,
      path: e.path,
      code: 'TemplateError' as const,
      message: `${e.message}${e.line !== undefined ? ` (at ${e.line}:${e.column ?? 0})` : ''}`,
    })),
  };
  if (out.errors.length > 0 || !rendered.manifest) return out;
  const scope = scopeOf(rendered.apiVersion, rendered.kind);
  if (scope === undefined) {
    out.errors.push({
      resourceId: r.id,
      path: `${entry.path}.spec.kind`,
      code: 'UnknownKind',
      message: `the API server serves no kind ${rendered.kind} in ${rendered.apiVersion}`,
    });
    return out;
  }
  const metadata = { ...rendered.manifest.metadata };
  let objectNamespace: string | undefined;
  if (scope === 'Cluster') delete metadata.namespace;
  else {
    objectNamespace = rendered.namespace || namespace;
    metadata.namespace = objectNamespace;
  }
  // Names and namespaces come from templates, hence from row data: checked before any request is
  // built with them, and against the target policy (the guard that admission cannot be).
  const refused =
    objectNameProblem(entry.path, rendered, objectNamespace, scope) ??
    targetProblem(entry.path, targets, rendered, objectNamespace, scope, namespace);
  if (refused !== undefined) {
    out.errors.push({ resourceId: r.id, ...refused });
    return out;
  }
  out.scope = scope;
  out.manifest = { ...rendered.manifest, metadata };
  out.key = resourceKey({
    apiVersion: rendered.apiVersion,
    kind: rendered.kind,
    name: rendered.name,
    id: r.id,
    ...(objectNamespace ? { namespace: objectNamespace } : {}),
  });
  return out;
}

/** Longest object name; longest namespace, Namespace or Service name, and label value. */
const MAX_NAME = 253;
const MAX_LABEL = 63;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

type ObjectProblem = Pick<NodeObjectError, 'path' | 'code' | 'message'>;

function tooLong(what: string, value: string, max: number): string {
  return `${what} is ${value.length} characters long (${JSON.stringify(`${value.slice(0, 40)}…`)}); Kubernetes allows at most ${max}`;
}

/** What Kubernetes would refuse in the name, namespace or label values, said before any request. */
function objectNameProblem(
  path: string,
  rendered: RenderedResource,
  objectNamespace: string | undefined,
  scope: 'Namespaced' | 'Cluster',
): ObjectProblem | undefined {
  const name = rendered.name;
  const at = `${path}.nameTemplate`;
  const labelLike =
    (rendered.kind === 'Namespace' || rendered.kind === 'Service') && rendered.apiVersion === 'v1';
  if (name.length > MAX_NAME || (labelLike && name.length > MAX_LABEL))
    return {
      path: at,
      code: 'InvalidName',
      message: tooLong(`the name of ${rendered.kind}`, name, labelLike ? MAX_LABEL : MAX_NAME),
    };
  // A name is a path segment of every request about the object.
  if (name === '.' || name === '..' || /[/%]/.test(name))
    return {
      path: at,
      code: 'InvalidName',
      message: `the name ${JSON.stringify(name)} of ${rendered.kind} may not be "." or ".." nor contain "/" or "%"`,
    };
  if (labelLike && !DNS_LABEL.test(name))
    return {
      path: at,
      code: 'InvalidName',
      message: `the name ${JSON.stringify(name)} of ${rendered.kind} is not a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit)`,
    };
  if (scope === 'Namespaced' && objectNamespace !== undefined) {
    const ns = objectNamespace;
    if (ns.length > MAX_LABEL || !DNS_LABEL.test(ns))
      return {
        path: `${path}.targetNamespace`,
        code: 'InvalidName',
        message:
          ns.length > MAX_LABEL
            ? tooLong('the namespace', ns, MAX_LABEL)
            : `the namespace ${JSON.stringify(ns)} is not a DNS-1123 label (lower-case letters, digits and "-", at most 63)`,
      };
  }
  const labels = rendered.manifest?.metadata.labels;
  if (labels !== null && typeof labels === 'object')
    for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
      if (typeof value !== 'string' || (LABEL_VALUE.test(value) && value.length <= MAX_LABEL))
        continue;
      return {
        path: `${path}.labelsTemplate`,
        code: 'InvalidName',
        message:
          value.length > MAX_LABEL
            ? tooLong(`the value of label ${key}`, value, MAX_LABEL)
            : `the value of label ${key} (${JSON.stringify(value.slice(0, 80))}) may hold only letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
      };
    }
  return undefined;
}

function targetProblem(
  path: string,
  targets: TargetPolicy,
  rendered: RenderedResource,
  objectNamespace: string | undefined,
  scope: 'Namespaced' | 'Cluster',
  nodeNamespace: string,
): ObjectProblem | undefined {
  const verdict = checkTarget(targets, {
    apiVersion: rendered.apiVersion,
    kind: rendered.kind,
    name: rendered.name,
    namespace: objectNamespace,
    clusterScoped: scope === 'Cluster',
    nodeNamespace,
  });
  if (verdict.allowed) return undefined;
  const field = verdict.field === 'kind' ? 'spec.kind' : verdict.field;
  return {
    path: `${path}.${field}`,
    code: 'TargetRefused',
    message: `${rendered.kind} ${JSON.stringify(rendered.name)} is refused: ${verdict.message}`,
  };
}

function nodeObjects(
  node: LynqNode,
  entries: ReturnType<typeof listResources<TResource>>,
  graph: ResourceGraph<TResource>,
  namespace: string,
  rendered: FormRenderResult,
  scopeOf: ScopeOf,
  options: PlanNodeOptions,
): NodeObjects {
  const renderedById = new Map<string, RenderedResource>();
  for (const r of rendered.resources) if (!renderedById.has(r.id)) renderedById.set(r.id, r);
  const entryById = new Map(entries.map((e) => [e.resource.id, e]));

  const levels = graph.levels.map((ids, level) =>
    ids.map((id) =>
      plannedObject(
        entryById.get(id)!,
        level,
        renderedById.get(id),
        namespace,
        scopeOf,
        options.targets ?? DEFAULT_TARGET_POLICY,
      ),
    ),
  );
  const objects = levels.flat();
  const errors = objects.flatMap((o) => o.errors);
  const current = new Map<string, ResourceKey>();
  for (const o of objects) if (o.key) current.set(objectIdentity(o.key), o.key);
  const failedIds = new Set(objects.filter((o) => !o.key).map((o) => o.id));

  const previous = previouslyApplied(node, objects, scopeOf, options);
  const tracked = objects.flatMap((o) => (o.key ? [o.key] : []));
  const orphans: ResourceKey[] = [];
  const seen = new Set(current.keys());
  for (const key of previous.keys) {
    const identity = objectIdentity(key);
    if (seen.has(identity)) continue;
    seen.add(identity);
    if (failedIds.has(key.id)) tracked.push(key);
    else orphans.push(key);
  }
  return { levels, objects, tracked, orphans, unresolved: previous.unresolved, errors };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The objects the node applied before, from `status.appliedResourceRefs` (exact) and Lynq's
 * `status.appliedResources` strings (no apiVersion; the namespace may be raw template text,
 * §13 item 11). A string is resolved through the resource of the same id and kind when the form
 * still has it, else through discovery when exactly one API group serves the kind; anything else
 * is reported as unresolved rather than guessed.
 */
function previouslyApplied(
  node: LynqNode,
  objects: readonly PlannedObject[],
  scopeOf: ScopeOf,
  options: PlanNodeOptions,
): { keys: ResourceKey[]; unresolved: UnresolvedApplied[] } {
  const status = node.status;
  const keys: ResourceKey[] = [];
  const unresolved: UnresolvedApplied[] = [];
  const known = new Set<string>();
  const add = (key: ResourceKey, scope: 'Namespaced' | 'Cluster') => {
    const k =
      scope === 'Cluster'
        ? resourceKey({ apiVersion: key.apiVersion, kind: key.kind, name: key.name, id: key.id })
        : key;
    const identity = objectIdentity(k);
    if (known.has(identity)) return;
    known.add(identity);
    keys.push(k);
  };

  for (const ref of (status?.appliedResourceRefs ?? []) as AppliedResourceRef[]) {
    const scope = scopeOf(ref.apiVersion, ref.kind);
    if (scope === undefined) {
      unresolved.push({
        entry: `${ref.apiVersion} ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`,
        reason: `the API server serves no kind ${ref.kind} in ${ref.apiVersion}`,
      });
      continue;
    }
    add(fromAppliedRef(ref), scope);
  }

  const byId = new Map(objects.map((o) => [o.id, o]));
  for (const text of status?.appliedResources ?? []) {
    const entry = parseAppliedResource(text);
    if (!entry) {
      unresolved.push({ entry: text, reason: 'not of the form Kind/namespace/name@id' });
      continue;
    }
    const same = byId.get(entry.id);
    const sameKind = same?.key && same.key.kind === entry.kind ? same.key : undefined;
    const literalNamespace = entry.namespace === undefined || DNS_LABEL.test(entry.namespace);
    // Lynq wrote the raw targetNamespace template: the resource that still renders is this object
    // when kind and name agree.
    if (!literalNamespace) {
      if (sameKind && sameKind.name === entry.name) continue;
      unresolved.push({
        entry: text,
        reason: `the namespace ${JSON.stringify(entry.namespace)} is template text, not a namespace`,
      });
      continue;
    }
    let apiVersion: string | undefined = sameKind?.apiVersion;
    if (!apiVersion) {
      const versions = options.versionsOfKind?.(entry.kind) ?? [];
      const groups = [...new Set(versions.map(groupOf))];
      if (groups.length === 1) apiVersion = versions[0];
      else {
        unresolved.push({
          entry: text,
          reason:
            groups.length === 0
              ? `no served API has the kind ${entry.kind}`
              : `the kind ${entry.kind} is served by several API groups (${groups.map((g) => g || 'core').join(', ')})`,
        });
        continue;
      }
    }
    const scope = scopeOf(apiVersion!, entry.kind);
    if (scope === undefined) {
      unresolved.push({
        entry: text,
        reason: `the API server serves no kind ${entry.kind} in ${apiVersion!}`,
      });
      continue;
    }
    add(
      resourceKey({
        apiVersion: apiVersion!,
        kind: entry.kind,
        name: entry.name,
        id: entry.id,
        ...(entry.namespace ? { namespace: entry.namespace } : {}),
      }),
      scope,
    );
  }
  return { keys, unresolved };
}
