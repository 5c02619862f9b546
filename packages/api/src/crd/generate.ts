import { stringify } from 'yaml';
import { z } from 'zod';
import { GROUP, Kinds, Plurals, VERSION } from '../names.js';
import { LynqFormSpec, LynqFormStatus } from '../schemas/form.js';
import { LynqHubSpec, LynqHubStatus } from '../schemas/hub.js';
import { LynqNodeSpec, LynqNodeStatus } from '../schemas/node.js';

type JsonSchema = Record<string, unknown>;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Rewrites zod's JSON Schema into a Kubernetes structural schema: no `additionalProperties: false`
 * next to `properties`, no `propertyNames`, no implied integer bounds.
 */
function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (typeof node !== 'object' || node === null) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) out[key] = structural(value);
  if (out.additionalProperties === false) delete out.additionalProperties;
  if (
    out['x-kubernetes-preserve-unknown-fields'] === true ||
    (out.properties !== undefined && isEmptySchema(out.additionalProperties))
  )
    delete out.additionalProperties;
  delete out.propertyNames;
  delete out.$schema;
  if (out.type === 'integer') {
    if (out.minimum === INT32_MIN || out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
    if (out.maximum === INT32_MAX || out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  }
  return out;
}

function isEmptySchema(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function openApi(schema: z.ZodType): JsonSchema {
  return structural(z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' })) as JsonSchema;
}

interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  jsonPath: string;
  description?: string;
  /** 1: shown only by `kubectl get -o wide`. */
  priority?: number;
}

interface CrdInput {
  kind: string;
  plural: string;
  description: string;
  spec: z.ZodType;
  /** Lynq's CRDs never require spec; ours do where Lynq's webhook rejects an object without one. */
  specRequired: boolean;
  status: z.ZodType;
  columns: PrinterColumn[];
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** A column showing one field of the condition of `type` (Lynq's JSONPath, quotes included). */
function conditionColumn(
  name: string,
  type: string,
  field: 'status' | 'reason',
  description: string,
): PrinterColumn {
  return {
    name,
    type: 'string',
    jsonPath: `.status.conditions[?(@.type=='${type}')].${field}`,
    description,
  };
}

/** Name, type, order and priority of every column are Lynq's; extra columns come last. */
const CRDS: readonly CrdInput[] = [
  {
    kind: Kinds.Hub,
    plural: Plurals.Hub,
    description: 'LynqHub connects to a datasource and keeps one LynqNode per active row and form.',
    spec: LynqHubSpec,
    specRequired: true,
    status: LynqHubStatus,
    columns: [
      {
        name: 'Templates',
        type: 'integer',
        jsonPath: '.status.referencingTemplates',
        description: 'LynqForms using this hub',
      },
      {
        name: 'Desired',
        type: 'integer',
        jsonPath: '.status.desired',
        description: 'LynqNodes that should exist (forms × active rows)',
      },
      { name: 'Ready', type: 'integer', jsonPath: '.status.ready', description: 'Ready LynqNodes' },
      {
        name: 'Failed',
        type: 'integer',
        jsonPath: '.status.failed',
        description: 'Failed LynqNodes',
      },
      conditionColumn('Conditions', 'Ready', 'reason', 'Reason of the Ready condition'),
      age,
    ],
  },
  {
    kind: Kinds.Form,
    plural: Plurals.Form,
    description: 'LynqForm is the blueprint of templated resources applied for every row of a hub.',
    spec: LynqFormSpec,
    specRequired: true,
    status: LynqFormStatus,
    columns: [
      { name: 'Hub', type: 'string', jsonPath: '.spec.hubId', description: 'The LynqHub' },
      {
        name: 'Total',
        type: 'integer',
        jsonPath: '.status.totalNodes',
        description: 'LynqNodes of this form',
      },
      {
        name: 'Ready',
        type: 'integer',
        jsonPath: '.status.readyNodes',
        description: 'Ready LynqNodes of this form',
      },
      {
        name: 'Rollout',
        type: 'string',
        jsonPath: '.status.rollout.phase',
        description: 'Phase of the rollout',
      },
      {
        name: 'Updating',
        type: 'integer',
        jsonPath: '.status.rollout.updatingNodes',
        description: 'LynqNodes updating now',
      },
      conditionColumn('Applied', 'Applied', 'status', 'Status of the Applied condition'),
      age,
    ],
  },
  {
    kind: Kinds.Node,
    plural: Plurals.Node,
    description:
      'LynqNode is one row rendered with one form: the resources applied for it and their state.',
    spec: LynqNodeSpec,
    specRequired: false,
    status: LynqNodeStatus,
    columns: [
      { name: 'UID', type: 'string', jsonPath: '.spec.uid', description: 'The row’s uid' },
      { name: 'Form', type: 'string', jsonPath: '.spec.templateRef', description: 'The LynqForm' },
      {
        name: 'Ready',
        type: 'integer',
        jsonPath: '.status.readyResources',
        description: 'Ready resources',
      },
      {
        name: 'Desired',
        type: 'integer',
        jsonPath: '.status.desiredResources',
        description: 'Resources of this node',
      },
      {
        name: 'Skipped',
        type: 'integer',
        jsonPath: '.status.skippedResources',
        description: 'Resources skipped because a dependency failed',
      },
      conditionColumn('Conflicted', 'Conflicted', 'status', 'Status of the Conflicted condition'),
      conditionColumn('Conditions', 'Ready', 'reason', 'Reason of the Ready condition'),
      age,
      {
        name: 'ConflictedResources',
        type: 'integer',
        jsonPath: '.status.conflictedResources',
        description: 'Resources in conflict with another owner',
        priority: 1,
      },
    ],
  },
];

/** The CustomResourceDefinition objects of the three kinds, built from the zod schemas. */
export function buildCrds(): Record<string, unknown>[] {
  return CRDS.map((crd) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${crd.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: crd.kind,
        listKind: `${crd.kind}List`,
        plural: crd.plural,
        singular: crd.kind.toLowerCase(),
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: crd.columns,
          schema: {
            openAPIV3Schema: {
              description: crd.description,
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: openApi(crd.spec),
                status: openApi(crd.status),
              },
              ...(crd.specRequired ? { required: ['spec'] } : {}),
            },
          },
        },
      ],
    },
  }));
}

let schemasByKind: Map<string, JsonSchema> | undefined;

/** The `openAPIV3Schema` of a kind's CRD (the CRDs are built once, on first use). */
export function crdSchemaOf(kind: string): JsonSchema {
  schemasByKind ??= new Map(
    buildCrds().map((crd) => {
      const spec = crd.spec as {
        names: { kind: string };
        versions: { schema: { openAPIV3Schema: JsonSchema } }[];
      };
      return [spec.names.kind, spec.versions[0]!.schema.openAPIV3Schema];
    }),
  );
  const schema = schemasByKind.get(kind);
  if (schema === undefined) throw new RangeError(`no CRD for kind ${kind}`);
  return schema;
}

export const CRD_HEADER =
  '# Generated from the zod schemas of @lynq/api by `npm run generate:crds -w @lynq/api`. Do not edit.\n';

/** File name and YAML text of each CRD, byte-for-byte deterministic. */
export function renderCrdFiles(): { fileName: string; text: string }[] {
  return buildCrds().map((crd) => {
    const name = (crd.metadata as { name: string }).name;
    const [plural, ...group] = name.split('.');
    return {
      fileName: `${group.join('.')}_${plural}.yaml`,
      text: CRD_HEADER + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false }),
    };
  });
}
