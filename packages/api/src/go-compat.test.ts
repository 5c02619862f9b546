// Objects written for the Go project k8s-lynq/lynq parse here unchanged (docs/compatibility.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseForm, parseHub, parseNode, type ParseResult } from './parse.js';
import { NODE_WITHOUT_SPEC, validateHub } from './validate.js';
import { applyHubDefaults } from './defaults.js';
import { lynqObjects } from './testdata/lynq-objects.js';

const testdata = join(import.meta.dirname, 'testdata');

function parseByKind(text: string): ParseResult<unknown> {
  const kind = (parse(text) as { kind?: string }).kind;
  if (kind === 'LynqHub') return parseHub(text);
  if (kind === 'LynqForm') return parseForm(text);
  return parseNode(text);
}

describe('Lynq’s own objects parse', () => {
  it.each(lynqObjects())('$file', ({ text }) => {
    const result = parseByKind(text);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});

describe('LynqNode without spec (Lynq’s config/samples node)', () => {
  it.each(['go/lynqnode-sample.yaml', 'go/lynqnode-sample-no-spec.yaml'])(
    '%s is valid, has no spec, and warns that nothing is rendered',
    (file) => {
      const result = parseNode(readFileSync(join(testdata, file), 'utf8'));
      expect(result).toMatchObject({
        ok: true,
        object: 'LynqNode lynqnode-sample',
        warnings: [{ path: 'spec', message: NODE_WITHOUT_SPEC }],
      });
      if (result.ok) expect(result.value.spec).toBeUndefined();
    },
  );

  it('treats spec: null in an object like an absent spec', () => {
    const result = parseNode({
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqNode',
      metadata: { name: 'n' },
      spec: null,
    });
    expect(result).toMatchObject({ ok: true, warnings: [{ path: 'spec' }] });
  });

  it('still requires uid and templateRef in a spec that is present', () => {
    const result = parseNode(
      'apiVersion: operator.lynq.sh/v1\nkind: LynqNode\nmetadata: {name: n}\nspec: {}\n',
    );
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { path: 'spec.uid', message: 'is required' },
        { path: 'spec.templateRef', message: 'is required' },
      ],
    });
  });

  it('keeps a hub or form without spec an error (Lynq’s webhook rejects them too)', () => {
    const hub = parseHub(
      'apiVersion: operator.lynq.sh/v1\nkind: LynqHub\nmetadata: {name: h}\nspec:\n',
    );
    expect(hub).toMatchObject({ ok: false, errors: [{ path: 'spec', message: 'is required' }] });
    const form = parseForm(
      'apiVersion: operator.lynq.sh/v1\nkind: LynqForm\nmetadata: {name: f}\n',
    );
    expect(form).toMatchObject({ ok: false, errors: [{ path: 'spec', message: 'is required' }] });
  });
});

describe('nulls the API server prunes', () => {
  it('reads fields left empty in YAML as absent, and gives them their defaults', () => {
    const result = parseHub(`
apiVersion: operator.lynq.sh/v1
kind: LynqHub
metadata:
  name: h
  labels:
spec:
  source:
    type: mysql
    syncInterval:
    mysql:
      host: db
      port:
      username: u
      passwordRef:
      database: d
      table: t
  valueMappings: { uid: id, activate: active }
  extraValueMappings:
`);
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    expect(result.value.spec.source.syncInterval).toBe('30s');
    expect(result.value.spec.source.mysql).toEqual({
      host: 'db',
      port: 3306,
      username: 'u',
      database: 'd',
      table: 't',
    });
    expect(result.value.spec.extraValueMappings).toBeUndefined();
    expect(result.value.metadata.labels).toBeUndefined();
  });

  it('keeps nulls inside resource bodies, which the API server keeps too', () => {
    const result = parseForm(`
apiVersion: operator.lynq.sh/v1
kind: LynqForm
metadata: { name: f }
spec:
  hubId: h
  configMaps:
    - id: c
      nameTemplate: c
      spec: { apiVersion: v1, kind: ConfigMap, data: { a: null } }
`);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.spec.configMaps?.[0]?.spec.data).toEqual({ a: null });
  });

  it('does not modify the object it is given', () => {
    const input = {
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqNode',
      metadata: { name: 'n' },
      spec: null,
    };
    parseNode(input);
    expect(input.spec).toBeNull();
  });
});

describe('extraValueMappings keep every variable name, __proto__ included', () => {
  const hubYaml = (mappings: string) => `
apiVersion: operator.lynq.sh/v1
kind: LynqHub
metadata: { name: h }
spec:
  source:
    type: mysql
    mysql: { host: db, username: u, database: d, table: t }
  valueMappings: { uid: id, activate: active }
  extraValueMappings:
${mappings}`;

  function mappingsOf(result: ParseResult<unknown>): Record<string, string> {
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) throw new Error('unreachable');
    return (result.value as { spec: { extraValueMappings: Record<string, string> } }).spec
      .extraValueMappings;
  }

  it('from YAML', () => {
    const mappings = mappingsOf(
      parseHub(hubYaml('    __proto__: plan\n    constructor: ctor\n    region: region\n')),
    );
    expect(Object.keys(mappings)).toEqual(['__proto__', 'constructor', 'region']);
    expect(Object.getOwnPropertyDescriptor(mappings, '__proto__')?.value).toBe('plan');
    expect(mappings['constructor']).toBe('ctor');
    expect(Object.getPrototypeOf(mappings)).toBeNull();
    expect(({} as Record<string, unknown>)['plan']).toBeUndefined();
  });

  it('from JSON text and from JSON.parse (which creates an own __proto__ key)', () => {
    const object = {
      apiVersion: 'operator.lynq.sh/v1',
      kind: 'LynqHub',
      metadata: { name: 'h' },
      spec: {
        source: { type: 'mysql', mysql: { host: 'db', username: 'u', database: 'd', table: 't' } },
        valueMappings: { uid: 'id', activate: 'active' },
        extraValueMappings: JSON.parse('{"__proto__": "plan", "tier": "tier"}') as unknown,
      },
    };
    const text = JSON.stringify(object);
    expect(text).toContain('"__proto__":"plan"');
    for (const input of [text, JSON.parse(text) as unknown, object]) {
      const mappings = mappingsOf(parseHub(input));
      expect(Object.keys(mappings)).toEqual(['__proto__', 'tier']);
      expect(Object.getOwnPropertyDescriptor(mappings, '__proto__')?.value).toBe('plan');
    }
  });

  it('an object literal’s __proto__ is not a key, so there is nothing to keep', () => {
    const hub = parse(hubYaml('    tier: tier\n')) as { spec: Record<string, unknown> };
    hub.spec['extraValueMappings'] = { __proto__: { inherited: 'x' }, tier: 'tier' };
    expect(Object.keys(mappingsOf(parseHub(hub)))).toEqual(['tier']);
  });

  it('validateHub sees __proto__ as an ordinary template identifier', () => {
    const hub = parse(hubYaml('    __proto__: plan\n'));
    const result = validateHub(applyHubDefaults(hub));
    expect(result).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(Object.keys(result.value?.spec.extraValueMappings ?? {})).toEqual(['__proto__']);
  });

  it('reports an empty column for __proto__ by its path', () => {
    const result = parseHub(hubYaml('    __proto__: ""\n'));
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { path: 'spec.extraValueMappings.__proto__', message: 'column name must not be empty' },
      ],
    });
  });
});
