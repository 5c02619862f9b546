import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCrds, renderCrdFiles } from './generate.js';

const CRD_DIR = join(import.meta.dirname, '../../../../deploy/crds');

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: unknown;
  [key: string]: unknown;
};

function versionOf(kind: string) {
  const crd = buildCrds().find((c) => (c.spec as { names: { kind: string } }).names.kind === kind);
  return (crd?.spec as { versions: Record<string, unknown>[] }).versions[0]!;
}

function rootSchema(kind: string): Schema {
  return (versionOf(kind).schema as { openAPIV3Schema: Schema }).openAPIV3Schema;
}

/** Every schema node, with its path, for structural-schema assertions. */
function* walk(schema: Schema, path = ''): Generator<[string, Schema]> {
  yield [path, schema];
  for (const [k, v] of Object.entries(schema.properties ?? {})) yield* walk(v, `${path}.${k}`);
  if (schema.items) yield* walk(schema.items, `${path}[]`);
  if (typeof schema.additionalProperties === 'object' && schema.additionalProperties)
    yield* walk(schema.additionalProperties as Schema, `${path}{}`);
}

describe('generated CRDs', () => {
  it('match the committed files in deploy/crds (run `npm run generate:crds -w @lynq/api`)', () => {
    for (const { fileName, text } of renderCrdFiles()) {
      expect(readFileSync(join(CRD_DIR, fileName), 'utf8'), fileName).toBe(text);
    }
  });

  it('are deterministic', () => {
    expect(renderCrdFiles()).toEqual(renderCrdFiles());
  });

  it.each(['LynqHub', 'LynqForm', 'LynqNode'])(
    '%s is structural: every node typed, no additionalProperties beside properties',
    (kind) => {
      for (const [path, node] of walk(rootSchema(kind))) {
        if (node['x-kubernetes-preserve-unknown-fields'] === true) continue;
        expect(node.type, `type at ${path}`).toBeDefined();
        if (node.properties)
          expect(node.additionalProperties, `additionalProperties at ${path}`).toBeUndefined();
        expect(node.propertyNames, path).toBeUndefined();
      }
    },
  );

  it('keeps resource bodies as written and keys form lists by id', () => {
    const spec = rootSchema('LynqForm').properties!.spec!;
    const deployments = spec.properties!.deployments!;
    expect(deployments['x-kubernetes-list-type']).toBe('map');
    expect(deployments['x-kubernetes-list-map-keys']).toEqual(['id']);
    expect(deployments.items!.properties!.spec).toMatchObject({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
    expect(deployments.items!.required).toEqual(['id', 'spec']);
    const nodeLists = rootSchema('LynqNode').properties!.spec!.properties!.deployments!;
    expect(nodeLists['x-kubernetes-list-type']).toBeUndefined();
  });

  it('makes hubId immutable with a CEL rule', () => {
    const hubId = rootSchema('LynqForm').properties!.spec!.properties!.hubId!;
    expect(hubId['x-kubernetes-validations']).toEqual([
      { rule: 'self == oldSelf', message: 'hubId is immutable' },
    ]);
  });

  it('carries the defaults and ranges of the reference', () => {
    const resource = rootSchema('LynqForm').properties!.spec!.properties!.jobs!.items!.properties!;
    expect(resource.timeoutSeconds).toMatchObject({
      default: 300,
      minimum: 1,
      maximum: 3600,
      format: 'int32',
    });
    expect(resource.skipOnDependencyFailure).toMatchObject({ default: true });
    expect(resource.creationPolicy).toMatchObject({
      default: 'WhenNeeded',
      enum: ['Once', 'WhenNeeded'],
    });
    const source = rootSchema('LynqHub').properties!.spec!.properties!.source!.properties!;
    expect(source.syncInterval).toMatchObject({ default: '30s', pattern: '^[0-9]+(s|m|h)$' });
    expect(source.mysql!.properties!.port).toMatchObject({
      default: 3306,
      minimum: 1,
      maximum: 65535,
    });
    expect(source.config).toMatchObject({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it('have the status subresource and Lynq’s printer columns: name, type, order, priority', () => {
    const columns = (kind: string) =>
      (versionOf(kind).additionalPrinterColumns as Record<string, unknown>[]).map(
        ({ name, type, jsonPath, priority }) => [name, type, jsonPath, priority ?? 0],
      );
    expect(columns('LynqHub')).toEqual([
      ['Templates', 'integer', '.status.referencingTemplates', 0],
      ['Desired', 'integer', '.status.desired', 0],
      ['Ready', 'integer', '.status.ready', 0],
      ['Failed', 'integer', '.status.failed', 0],
      ['Conditions', 'string', ".status.conditions[?(@.type=='Ready')].reason", 0],
      ['Age', 'date', '.metadata.creationTimestamp', 0],
    ]);
    expect(columns('LynqForm')).toEqual([
      ['Hub', 'string', '.spec.hubId', 0],
      ['Total', 'integer', '.status.totalNodes', 0],
      ['Ready', 'integer', '.status.readyNodes', 0],
      ['Rollout', 'string', '.status.rollout.phase', 0],
      ['Updating', 'integer', '.status.rollout.updatingNodes', 0],
      ['Applied', 'string', ".status.conditions[?(@.type=='Applied')].status", 0],
      ['Age', 'date', '.metadata.creationTimestamp', 0],
    ]);
    expect(columns('LynqNode')).toEqual([
      ['UID', 'string', '.spec.uid', 0],
      ['Form', 'string', '.spec.templateRef', 0],
      ['Ready', 'integer', '.status.readyResources', 0],
      ['Desired', 'integer', '.status.desiredResources', 0],
      ['Skipped', 'integer', '.status.skippedResources', 0],
      ['Conflicted', 'string', ".status.conditions[?(@.type=='Conflicted')].status", 0],
      ['Conditions', 'string', ".status.conditions[?(@.type=='Ready')].reason", 0],
      ['Age', 'date', '.metadata.creationTimestamp', 0],
      // Ours, only with -o wide: the count behind the Conflicted condition.
      ['ConflictedResources', 'integer', '.status.conflictedResources', 1],
    ]);
    for (const kind of ['LynqHub', 'LynqForm', 'LynqNode'])
      expect(versionOf(kind).subresources).toEqual({ status: {} });
  });

  it('require spec on hubs and forms only: a LynqNode may have none, as in Lynq', () => {
    expect(rootSchema('LynqHub').required).toEqual(['spec']);
    expect(rootSchema('LynqForm').required).toEqual(['spec']);
    expect(rootSchema('LynqNode').required).toBeUndefined();
    expect(rootSchema('LynqNode').properties!.spec!.required).toEqual(['uid', 'templateRef']);
  });

  it.each(['LynqHub', 'LynqForm', 'LynqNode'])(
    '%s status.conditions has the schema of metav1.Condition',
    (kind) => {
      const condition = rootSchema(kind).properties!.status!.properties!.conditions!.items!;
      expect([...(condition.required as string[])].sort()).toEqual([
        'lastTransitionTime',
        'message',
        'reason',
        'status',
        'type',
      ]);
      const p = condition.properties!;
      expect(p.lastTransitionTime).toMatchObject({ type: 'string', format: 'date-time' });
      expect(p.lastTransitionTime!.pattern).toBeUndefined();
      expect(p.message).toMatchObject({ type: 'string', maxLength: 32768 });
      expect(p.reason).toMatchObject({
        type: 'string',
        minLength: 1,
        maxLength: 1024,
        pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      });
      expect(p.type).toMatchObject({
        type: 'string',
        maxLength: 316,
        pattern:
          '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      });
      expect(p.status).toMatchObject({ type: 'string', enum: ['True', 'False', 'Unknown'] });
      expect(p.observedGeneration).toMatchObject({ type: 'integer', format: 'int64', minimum: 0 });
    },
  );

  it('leave Secret names and keys free of length limits, as Lynq’s CRD does', () => {
    const mysql = rootSchema('LynqHub').properties!.spec!.properties!.source!.properties!.mysql!;
    const ref = mysql.properties!.passwordRef!;
    expect(ref.required).toEqual(['name', 'key']);
    expect(ref.properties!.name).toEqual({ type: 'string', description: expect.any(String) });
    expect(ref.properties!.key).toEqual({ type: 'string', description: expect.any(String) });
  });

  it('declare extraValueMappings as a map of strings', () => {
    const extra = rootSchema('LynqHub').properties!.spec!.properties!.extraValueMappings!;
    expect(extra).toEqual({
      type: 'object',
      additionalProperties: { type: 'string' },
      description: expect.any(String),
    });
  });

  it('round-trip through YAML', () => {
    for (const { text } of renderCrdFiles())
      expect(parse(text)).toMatchObject({ kind: 'CustomResourceDefinition' });
  });
});
