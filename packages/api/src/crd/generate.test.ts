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

  it('have the status subresource and the printer columns of the reference', () => {
    const columns = (kind: string) =>
      (versionOf(kind).additionalPrinterColumns as { name: string }[]).map((c) => c.name);
    expect(columns('LynqHub')).toEqual([
      'Templates',
      'Desired',
      'Ready',
      'Failed',
      'Conditions',
      'Age',
    ]);
    expect(columns('LynqForm')).toEqual([
      'Hub',
      'Total',
      'Ready',
      'Rollout',
      'Updating',
      'Applied',
      'Age',
    ]);
    expect(columns('LynqNode')).toEqual([
      'UID',
      'Form',
      'Ready',
      'Desired',
      'Skipped',
      'Conflicted',
      'Conditions',
      'Age',
    ]);
    for (const kind of ['LynqHub', 'LynqForm', 'LynqNode'])
      expect(versionOf(kind).subresources).toEqual({ status: {} });
  });

  it('round-trip through YAML', () => {
    for (const { text } of renderCrdFiles())
      expect(parse(text)).toMatchObject({ kind: 'CustomResourceDefinition' });
  });
});
