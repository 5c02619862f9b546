// The hub-level half of rendering (reference §3.1 step 10): Lynq renders only nameTemplate,
// labelsTemplate and annotationsTemplate for the LynqNode's spec copy; spec bodies and
// targetNamespace are copied unrendered and rendered later by the node controller.
import {
  RESOURCE_LIST_KEYS,
  listResources,
  type LynqForm,
  type ResourceLists,
  type TResource,
} from '@lynq/api';
import type { FormRenderResult, RenderSource } from '@lynq/render';

/** Name of the placeholder object of resources without nameTemplate (never used). */
const UNNAMED = 'unnamed';

const sources = new WeakMap<LynqForm, RenderSource>();

function stub(resource: TResource): TResource {
  const { targetNamespace: _ignored, ...rest } = resource;
  const out: TResource = {
    ...rest,
    // An empty body: only the three hub-level fields are templates. Without a nameTemplate the
    // placeholder name keeps renderForm from reporting an empty name that nobody asked for.
    spec: resource.nameTemplate ? {} : { metadata: { name: UNNAMED } },
  };
  if (!resource.nameTemplate) delete out.nameTemplate;
  return out;
}

/**
 * What the hub renders for a form, as a form of its own: every resource keeps its id, list and
 * position (so errors name the form's own field paths, e.g. `spec.deployments[0].nameTemplate`)
 * and its name, label and annotation templates, with an empty body. Render it with renderForm
 * or a RenderHost, once per desired node, with the node's variables; read the outcome with
 * planHub. The same object is returned for the same form object, so render caches hit.
 */
export function hubRenderSource(form: LynqForm): RenderSource {
  const cached = sources.get(form);
  if (cached) return cached;
  const spec: ResourceLists & { templateSyntax?: LynqForm['spec']['templateSyntax'] } = {};
  if (form.spec.templateSyntax) spec.templateSyntax = form.spec.templateSyntax;
  for (const key of RESOURCE_LIST_KEYS) {
    const list = form.spec[key];
    if (Array.isArray(list)) spec[key] = list.map(stub);
  }
  const source: RenderSource = { spec };
  sources.set(form, source);
  return source;
}

/** The hub-rendered fields of one resource. */
export interface HubRenderedFields {
  nameTemplate?: string;
  labelsTemplate?: Record<string, string>;
  annotationsTemplate?: Record<string, string>;
}

/** A template error at hub level, naming the resource and field. */
export interface HubTemplateError {
  resourceId: string;
  /** Field path in the form, e.g. `spec.deployments[0].labelsTemplate.tier`. */
  path: string;
  message: string;
}

export type HubFieldsResult =
  { ok: true; fields: HubRenderedFields[] } | { ok: false; errors: HubTemplateError[] };

function formatError(e: FormRenderResult['errors'][number]): string {
  const pos = e.line !== undefined ? ` ${e.line}:${e.column ?? 0}` : '';
  return `${e.message}${pos ? ` (at${pos})` : ''}`;
}

/**
 * Reads a render of hubRenderSource(form) into the rendered fields of each resource, in the
 * order of listResources(form.spec). Lynq renders a nameTemplate only when it is non-empty and a
 * label/annotation map only when it has entries; the rest is left as the form has it.
 */
export function hubFieldsOf(form: LynqForm, result: FormRenderResult): HubFieldsResult {
  const entries = listResources(form.spec);
  if (result.errors.length > 0)
    return {
      ok: false,
      errors: result.errors.map((e) => ({
        resourceId: e.resourceId,
        path: e.path,
        message: formatError(e),
      })),
    };
  if (result.resources.length !== entries.length)
    return {
      ok: false,
      errors: [
        {
          resourceId: '',
          path: 'spec',
          message: `the render has ${result.resources.length} resources, the form ${entries.length}: it was rendered from another form`,
        },
      ],
    };
  const fields: HubRenderedFields[] = [];
  const errors: HubTemplateError[] = [];
  entries.forEach(({ resource, path }, i) => {
    const rendered = result.resources[i]!;
    if (rendered.id !== resource.id || rendered.manifest === undefined) {
      errors.push({
        resourceId: resource.id,
        path,
        message: `the render does not match the form (resource ${JSON.stringify(rendered.id)} at this position)`,
      });
      return;
    }
    const out: HubRenderedFields = {};
    if (resource.nameTemplate) out.nameTemplate = rendered.name;
    const meta = rendered.manifest.metadata;
    if (resource.labelsTemplate && Object.keys(resource.labelsTemplate).length > 0)
      out.labelsTemplate = { ...(meta.labels as Record<string, string> | undefined) };
    if (resource.annotationsTemplate && Object.keys(resource.annotationsTemplate).length > 0)
      out.annotationsTemplate = { ...(meta.annotations as Record<string, string> | undefined) };
    fields.push(out);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, fields };
}
