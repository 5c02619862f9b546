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
}

interface CrdInput {
  kind: string;
  plural: string;
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  columns: PrinterColumn[];
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

const CRDS: readonly CrdInput[] = [
  {
    kind: Kinds.Hub,
    plural: Plurals.Hub,
    description: 'LynqHub connects to a datasource and keeps one LynqNode per active row and form.',
    spec: LynqHubSpec,
    status: LynqHubStatus,
    columns: [
      { name: 'Templates', type: 'integer', jsonPath: '.status.referencingTemplates' },
      { name: 'Desired', type: 'integer', jsonPath: '.status.desired' },
      { name: 'Ready', type: 'integer', jsonPath: '.status.ready' },
      { name: 'Failed', type: 'integer', jsonPath: '.status.failed' },
      {
        name: 'Conditions',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
      },
      age,
    ],
  },
  {
    kind: Kinds.Form,
    plural: Plurals.Form,
    description: 'LynqForm is the blueprint of templated resources applied for every row of a hub.',
    spec: LynqFormSpec,
    status: LynqFormStatus,
    columns: [
      { name: 'Hub', type: 'string', jsonPath: '.spec.hubId' },
      { name: 'Total', type: 'integer', jsonPath: '.status.totalNodes' },
      { name: 'Ready', type: 'integer', jsonPath: '.status.readyNodes' },
      { name: 'Rollout', type: 'string', jsonPath: '.status.rollout.phase' },
      { name: 'Updating', type: 'integer', jsonPath: '.status.rollout.updatingNodes' },
      {
        name: 'Applied',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Applied")].status',
      },
      age,
    ],
  },
  {
    kind: Kinds.Node,
    plural: Plurals.Node,
    description:
      'LynqNode is one row rendered with one form: the resources applied for it and their state.',
    spec: LynqNodeSpec,
    status: LynqNodeStatus,
    columns: [
      { name: 'UID', type: 'string', jsonPath: '.spec.uid' },
      { name: 'Form', type: 'string', jsonPath: '.spec.templateRef' },
      { name: 'Ready', type: 'integer', jsonPath: '.status.readyResources' },
      { name: 'Desired', type: 'integer', jsonPath: '.status.desiredResources' },
      { name: 'Skipped', type: 'integer', jsonPath: '.status.skippedResources' },
      { name: 'Conflicted', type: 'integer', jsonPath: '.status.conflictedResources' },
      {
        name: 'Conditions',
        type: 'string',
        jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
      },
      age,
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
              required: ['spec'],
            },
          },
        },
      ],
    },
  }));
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
