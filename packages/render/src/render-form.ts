// renderForm: a LynqForm + one node's variables → concrete manifests, one result per resource,
// with errors collected per resource and field so one bad resource never hides the others.
import {
  joinPath,
  listResources,
  type ResourceLists,
  type ResourceListKey,
  type TResource,
} from '@lynq/api';
import {
  NUNJUCKS_DISABLED,
  TemplateError,
  compileTemplate,
  nunjucksAllowed,
  type CompileOptions,
  type CompiledTemplate,
  type RenderOptions,
  type TemplateSyntax,
} from './engine.js';
import { setEntry } from './go/values.js';
import { resolveTypedValue, stripTypeMarker, type MarkerContext } from './markers.js';

/** A template problem in one field of one resource. */
export interface ResourceRenderError {
  resourceId: string;
  /** Field path in the form, e.g. `spec.deployments[0].spec.spec.replicas`. */
  path: string;
  phase: 'parse' | 'execute';
  /** What is wrong, without the position. */
  message: string;
  /** 1-based position in the template text. */
  line?: number;
  column?: number;
  /** The template asked to stop (`fail`, `required`). */
  failure?: boolean;
}

export function formatRenderError(e: ResourceRenderError): string {
  const pos = e.line !== undefined ? ` ${e.line}:${e.column ?? 0}` : '';
  return `resource ${e.resourceId}: ${e.path}${pos}: ${e.message}`;
}

/** The resource's lifecycle policies, with Lynq's defaults applied. */
export interface ResourcePolicies {
  creationPolicy: TResource['creationPolicy'];
  deletionPolicy: TResource['deletionPolicy'];
  conflictPolicy: TResource['conflictPolicy'];
  patchStrategy: TResource['patchStrategy'];
  waitForReady: boolean;
  timeoutSeconds: number;
  skipOnDependencyFailure: boolean;
  ignoreFields: readonly string[];
  readyWhen: readonly string[];
}

export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace?: string };
};

export interface RenderedResource {
  id: string;
  listKey: ResourceListKey;
  /** Field path of the resource in the form, e.g. `spec.deployments[0]`. */
  path: string;
  apiVersion: string;
  kind: string;
  name: string;
  /** targetNamespace or the node's namespace; undefined for cluster-scoped Namespaces. */
  namespace: string | undefined;
  /** The object to apply; undefined when the resource has errors. */
  manifest: Manifest | undefined;
  dependIds: string[];
  /** Shared by every render of the compiled form, hence frozen. */
  policies: Readonly<ResourcePolicies>;
  errors: ResourceRenderError[];
}

export interface FormRenderResult {
  resources: RenderedResource[];
  /** Every resource's errors, in resource order. */
  errors: ResourceRenderError[];
}

export interface RenderFormOptions extends RenderOptions {
  /** The node's namespace: where resources without targetNamespace go. */
  namespace: string;
  /**
   * The API scope of each kind, from the API server's discovery, keyed `apiVersion/kind`
   * (`rbac.authorization.k8s.io/v1/ClusterRole`: `Cluster`). A cluster-scoped object gets no
   * namespace. Kinds not listed: Namespace is cluster-scoped, every other kind namespaced (tools
   * without a cluster; the operator always passes what discovery says).
   */
  scopes?: Readonly<Record<string, 'Namespaced' | 'Cluster'>>;
}

function isClusterScoped(
  apiVersion: string,
  kind: string,
  scopes: RenderFormOptions['scopes'],
): boolean {
  const key = `${apiVersion}/${kind}`;
  if (scopes !== undefined && Object.hasOwn(scopes, key)) return scopes[key] === 'Cluster';
  return kind === 'Namespace' && apiVersion === 'v1';
}

// ---- compiled form ----

type Shape =
  | { t: 'static'; v: unknown }
  | { t: 'tpl'; tpl: CompiledTemplate; path: string; resourceId: string; ctx: MarkerContext }
  | { t: 'broken'; error: ResourceRenderError }
  | { t: 'map'; entries: [string, Shape][] }
  | { t: 'list'; items: Shape[] };

interface CompiledResource {
  entry: { listKey: ResourceListKey; path: string; resource: TResource };
  body: Renderer;
  name?: Renderer;
  namespace?: Renderer;
  labels?: [string, Renderer][];
  annotations?: [string, Renderer][];
  policies: ResourcePolicies;
}

/**
 * What can be rendered: a LynqForm, or anything with the same resource lists, such as a
 * LynqNode's spec copy (whose syntax then comes from its form: pass `syntax` to compileForm).
 */
export interface RenderSource {
  spec: ResourceLists & { templateSyntax?: TemplateSyntax };
}

/** A form whose every template is parsed once; render it for any number of nodes. */
export interface CompiledForm {
  readonly syntax: TemplateSyntax;
  render(
    variables: Readonly<Record<string, unknown>>,
    options: RenderFormOptions,
  ): FormRenderResult;
}

function compileString(
  text: string,
  syntax: TemplateSyntax,
  resourceId: string,
  path: string,
  ctx: MarkerContext,
  compile: CompileOptions,
): Shape {
  try {
    const tpl = compileTemplate(text, syntax, compile);
    return tpl.isStatic ? { t: 'static', v: text } : { t: 'tpl', tpl, path, resourceId, ctx };
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return { t: 'broken', error: toResourceError(err, resourceId, path) };
  }
}

function toResourceError(
  err: TemplateError,
  resourceId: string,
  path: string,
): ResourceRenderError {
  return {
    resourceId,
    path,
    phase: err.phase,
    message: err.reason,
    ...(err.line !== undefined ? { line: err.line, column: err.column ?? 0 } : {}),
    ...(err.failure ? { failure: true } : {}),
  };
}

function compileValue(
  v: unknown,
  syntax: TemplateSyntax,
  resourceId: string,
  path: string,
  key: string | number | undefined,
  parentKey: string | number | undefined,
  kind: unknown,
  compile: CompileOptions,
): Shape {
  if (typeof v === 'string')
    return compileString(v, syntax, resourceId, path, { key, parentKey, kind }, compile);
  if (Array.isArray(v))
    return {
      t: 'list',
      items: v.map((x, i) =>
        compileValue(x, syntax, resourceId, joinPath(path, i), i, key, kind, compile),
      ),
    };
  if (v !== null && typeof v === 'object')
    return {
      t: 'map',
      entries: Object.entries(v).map(([k, x]) => [
        k,
        compileValue(x, syntax, resourceId, joinPath(path, k), k, key, kind, compile),
      ]),
    };
  return { t: 'static', v };
}

/** A resource's lifecycle policies with the CRD's defaults filled in (frozen). */
export function resourcePolicies(r: TResource): Readonly<ResourcePolicies> {
  return Object.freeze(policiesOf(r));
}

function policiesOf(r: TResource): ResourcePolicies {
  return {
    creationPolicy: r.creationPolicy ?? 'WhenNeeded',
    deletionPolicy: r.deletionPolicy ?? 'Delete',
    conflictPolicy: r.conflictPolicy ?? 'Stuck',
    patchStrategy: r.patchStrategy ?? 'apply',
    waitForReady: r.waitForReady ?? true,
    timeoutSeconds: r.timeoutSeconds ?? 300,
    skipOnDependencyFailure: r.skipOnDependencyFailure ?? true,
    ignoreFields: Object.freeze([...(r.ignoreFields ?? [])]),
    readyWhen: Object.freeze([...(r.readyWhen ?? [])]),
  };
}

const stringCtx: MarkerContext = { key: 'name', parentKey: 'metadata', kind: undefined };

type Renderer = (
  vars: Readonly<Record<string, unknown>>,
  options: RenderOptions,
  errors: ResourceRenderError[],
) => unknown;

/** Turns a shape into a closure once, so rendering a row does no dispatch on shapes. */
function toRenderer(shape: Shape): Renderer {
  switch (shape.t) {
    case 'static': {
      const v = shape.v;
      return () => v;
    }
    case 'broken': {
      const e = shape.error;
      return (_v, _o, errors) => {
        errors.push(e);
        return undefined;
      };
    }
    case 'tpl': {
      const { tpl, ctx, path, resourceId } = shape;
      return (vars, options, errors) => {
        try {
          return resolveTypedValue(tpl.render(vars, options), ctx);
        } catch (err) {
          if (!(err instanceof TemplateError)) throw err;
          errors.push(toResourceError(err, resourceId, path));
          return undefined;
        }
      };
    }
    case 'list': {
      const items = shape.items.map(toRenderer);
      return (vars, options, errors) => {
        const out = new Array<unknown>(items.length);
        for (let i = 0; i < items.length; i++) out[i] = items[i]!(vars, options, errors);
        return out;
      };
    }
    case 'map': {
      const keys = shape.entries.map(([k]) => k);
      const values = shape.entries.map(([, v]) => toRenderer(v));
      if (keys.includes('__proto__'))
        return (vars, options, errors) => {
          const out: Record<string, unknown> = {};
          for (let i = 0; i < keys.length; i++)
            setEntry(out, keys[i]!, values[i]!(vars, options, errors));
          return out;
        };
      return (vars, options, errors) => {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i]!(vars, options, errors);
        return out;
      };
    }
  }
}

/**
 * Parses every template of a form once. Parse errors are reported by every render. A form in the
 * nunjucks syntax renders only with `allowNunjucks: true`; otherwise each of its resources fails
 * with one error on `spec.templateSyntax`.
 */
export function compileForm(
  form: RenderSource,
  options: { syntax?: TemplateSyntax } & CompileOptions = {},
): CompiledForm {
  const syntax: TemplateSyntax = options.syntax ?? form.spec.templateSyntax ?? 'go';
  const compile: CompileOptions = { allowNunjucks: nunjucksAllowed(options) };
  const disabled = syntax === 'nunjucks' && !compile.allowNunjucks;
  const resources: CompiledResource[] = listResources(form.spec).map((entry) => {
    const r = entry.resource;
    const id = r.id;
    const kind = r.spec.kind;
    if (disabled) {
      const error: ResourceRenderError = {
        resourceId: id,
        path: 'spec.templateSyntax',
        phase: 'parse',
        message: NUNJUCKS_DISABLED,
      };
      return {
        entry,
        body: toRenderer({ t: 'broken', error }),
        policies: Object.freeze(policiesOf(r)),
      };
    }
    const str = (text: string, path: string, ctx: MarkerContext) =>
      toRenderer(compileString(text, syntax, id, path, ctx, compile));
    const mapOf = (m: Record<string, string> | undefined, field: string) =>
      m === undefined
        ? undefined
        : Object.entries(m).map(([k, v]): [string, Renderer] => [
            k,
            str(v, joinPath(`${entry.path}.${field}`, k), { key: k, parentKey: 'labels', kind }),
          ]);
    const compiled: CompiledResource = {
      entry,
      body: toRenderer(
        compileValue(r.spec, syntax, id, `${entry.path}.spec`, undefined, undefined, kind, compile),
      ),
      policies: Object.freeze(policiesOf(r)),
    };
    if (r.nameTemplate !== undefined)
      compiled.name = str(r.nameTemplate, `${entry.path}.nameTemplate`, stringCtx);
    if (r.targetNamespace)
      compiled.namespace = str(r.targetNamespace, `${entry.path}.targetNamespace`, stringCtx);
    if (r.labelsTemplate) compiled.labels = mapOf(r.labelsTemplate, 'labelsTemplate');
    if (r.annotationsTemplate)
      compiled.annotations = mapOf(r.annotationsTemplate, 'annotationsTemplate');
    return compiled;
  });
  return {
    syntax,
    render: (variables, options) => renderCompiled(resources, variables, options),
  };
}

function renderString(
  renderer: Renderer | undefined,
  vars: Readonly<Record<string, unknown>>,
  options: RenderOptions,
  errors: ResourceRenderError[],
): string | undefined {
  if (!renderer) return undefined;
  const v = renderer(vars, options, errors);
  return typeof v === 'string' ? stripTypeMarker(v) : v === undefined ? undefined : String(v);
}

function renderMap(
  entries: [string, Renderer][] | undefined,
  vars: Readonly<Record<string, unknown>>,
  options: RenderOptions,
  errors: ResourceRenderError[],
  into: Record<string, string>,
): void {
  if (!entries) return;
  for (const [k, r] of entries) {
    const v = renderString(r, vars, options, errors);
    if (v !== undefined) setEntry(into, k, v);
  }
}

function hasKeys(o: Record<string, string>): boolean {
  for (const _k in o) return true;
  return false;
}

function copyStringMap(v: unknown, into: Record<string, string>): void {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
  for (const [k, x] of Object.entries(v)) setEntry(into, k, typeof x === 'string' ? x : String(x));
}

function renderCompiled(
  resources: CompiledResource[],
  vars: Readonly<Record<string, unknown>>,
  options: RenderFormOptions,
): FormRenderResult {
  const all: ResourceRenderError[] = [];
  const out = resources.map((c): RenderedResource => {
    const { entry, policies } = c;
    const id = entry.resource.id;
    const errors: ResourceRenderError[] = [];
    const body = (c.body(vars, options, errors) ?? {}) as Record<string, unknown>;
    const bodyMeta = (
      body.metadata && typeof body.metadata === 'object' ? body.metadata : {}
    ) as Record<string, unknown>;
    const name =
      renderString(c.name, vars, options, errors) ??
      (typeof bodyMeta.name === 'string' ? bodyMeta.name : '');
    const kind = typeof body.kind === 'string' ? body.kind : '';
    const apiVersion = typeof body.apiVersion === 'string' ? body.apiVersion : '';
    const clusterScoped = isClusterScoped(apiVersion, kind, options.scopes);
    const targetNs = renderString(c.namespace, vars, options, errors);
    const namespace = clusterScoped ? undefined : targetNs || options.namespace;
    // Labels and annotations: the spec's own, merged with the templated ones (templates win).
    const labels: Record<string, string> = {};
    copyStringMap(bodyMeta.labels, labels);
    renderMap(c.labels, vars, options, errors, labels);
    const annotations: Record<string, string> = {};
    copyStringMap(bodyMeta.annotations, annotations);
    renderMap(c.annotations, vars, options, errors, annotations);
    if (!name && errors.length === 0)
      errors.push({
        resourceId: id,
        path: `${entry.path}.nameTemplate`,
        phase: 'execute',
        message: 'the rendered name is empty',
      });
    all.push(...errors);
    let manifest: Manifest | undefined;
    if (errors.length === 0) {
      const metadata: Manifest['metadata'] = { name };
      for (const k of Object.keys(bodyMeta))
        if (k !== 'name' && k !== 'namespace' && k !== 'labels' && k !== 'annotations')
          setEntry(metadata, k, bodyMeta[k]);
      if (namespace !== undefined) metadata.namespace = namespace;
      if (hasKeys(labels)) metadata.labels = labels;
      if (hasKeys(annotations)) metadata.annotations = annotations;
      manifest = { apiVersion, kind, metadata };
      for (const k of Object.keys(body))
        if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') setEntry(manifest, k, body[k]);
    }
    return {
      id,
      listKey: entry.listKey,
      path: entry.path,
      apiVersion,
      kind,
      name,
      namespace,
      manifest,
      dependIds: [...(entry.resource.dependIds ?? [])],
      policies,
      errors,
    };
  });
  return { resources: out, errors: all };
}

// One compilation per form object and allowNunjucks setting.
const compiledForms = new WeakMap<RenderSource, CompiledForm>();
const compiledNunjucksForms = new WeakMap<RenderSource, CompiledForm>();

/**
 * Renders every resource of a form for one node. Errors are collected per resource (with the
 * resource id, field path and template line:column); resources with errors have no manifest.
 * Repeated calls with the same form object reuse its compilation (see compileForm).
 */
export function renderForm(
  form: RenderSource,
  variables: Readonly<Record<string, unknown>>,
  options: RenderFormOptions,
): FormRenderResult {
  const allowNunjucks = nunjucksAllowed(options);
  const cache = allowNunjucks ? compiledNunjucksForms : compiledForms;
  let compiled = cache.get(form);
  if (!compiled) {
    compiled = compileForm(form, { allowNunjucks });
    cache.set(form, compiled);
  }
  return compiled.render(variables, options);
}
