import { describe, expect, it } from 'vitest';
import { applyFormDefaults, applyHubDefaults } from './defaults.js';
import type { FieldIssue } from './issues.js';
import { parseForm, parseHub } from './parse.js';
import type { LynqForm } from './schemas/form.js';
import { validateForm, validateHub, type FormCheck } from './validate.js';

type Json = Record<string, unknown>;

function hub(): Json {
  return {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqHub',
    metadata: { name: 'hub', namespace: 'default' },
    spec: {
      source: {
        type: 'mysql',
        syncInterval: '30s',
        mysql: { host: 'db', username: 'reader', database: 'nodes', table: 'tenants' },
      },
      valueMappings: { uid: 'id', activate: 'is_active' },
      extraValueMappings: { planId: 'plan' },
    },
  };
}

function form(): Json {
  return {
    apiVersion: 'operator.lynq.sh/v1',
    kind: 'LynqForm',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      hubId: 'hub',
      deployments: [
        {
          id: 'app',
          nameTemplate: '{{ .uid }}-app',
          spec: { apiVersion: 'apps/v1', kind: 'Deployment' },
        },
        {
          id: 'worker',
          nameTemplate: '{{ .uid }}-worker',
          spec: { apiVersion: 'apps/v1', kind: 'Deployment' },
        },
        {
          id: 'cron',
          nameTemplate: '{{ .uid }}-cron',
          spec: { apiVersion: 'apps/v1', kind: 'Deployment' },
        },
      ],
      services: [
        {
          id: 'svc',
          nameTemplate: '{{ .uid }}-svc',
          dependIds: ['app'],
          spec: { apiVersion: 'v1', kind: 'Service' },
        },
      ],
    },
  };
}

/** Sets a value at a dotted path with [i] indexes, creating nothing: the path must exist up to its parent. */
function set(obj: Json, path: string, value: unknown): Json {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let cur: Record<string, unknown> = obj;
  for (const key of keys.slice(0, -1)) cur = cur[key] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return obj;
}

interface Case {
  name: string;
  object: Json;
  path: string;
  message: string | RegExp;
}

const hubCases: Case[] = [
  {
    name: 'missing uid mapping',
    object: set(hub(), 'spec.valueMappings.uid', undefined),
    path: 'spec.valueMappings.uid',
    message: 'is required',
  },
  {
    name: 'empty uid mapping',
    object: set(hub(), 'spec.valueMappings.uid', ''),
    path: 'spec.valueMappings.uid',
    message: 'is required',
  },
  {
    name: 'missing activate mapping',
    object: set(hub(), 'spec.valueMappings.activate', undefined),
    path: 'spec.valueMappings.activate',
    message: 'is required',
  },
  {
    name: 'syncInterval 30x',
    object: set(hub(), 'spec.source.syncInterval', '30x'),
    path: 'spec.source.syncInterval',
    message: 'must match ^[0-9]+(s|m|h)$ (got "30x")',
  },
  {
    name: 'syncInterval with two units',
    object: set(hub(), 'spec.source.syncInterval', '1h30m'),
    path: 'spec.source.syncInterval',
    message: /must match/,
  },
  {
    name: 'syncInterval 0s',
    object: set(hub(), 'spec.source.syncInterval', '0s'),
    path: 'spec.source.syncInterval',
    message: /must be greater than 0/,
  },
  {
    name: 'port 70000',
    object: set(hub(), 'spec.source.mysql.port', 70000),
    path: 'spec.source.mysql.port',
    message: 'must be at most 65535 (got 70000)',
  },
  {
    name: 'port as a string',
    object: set(hub(), 'spec.source.mysql.port', '3306'),
    path: 'spec.source.mysql.port',
    message: 'must be a number (got "3306")',
  },
  {
    name: 'missing mysql block',
    object: set(hub(), 'spec.source.mysql', undefined),
    path: 'spec.source.mysql',
    message: 'is required when spec.source.type is mysql',
  },
  {
    name: 'missing mysql host',
    object: set(hub(), 'spec.source.mysql.host', undefined),
    path: 'spec.source.mysql.host',
    message: 'is required',
  },
  {
    name: 'empty mysql table',
    object: set(hub(), 'spec.source.mysql.table', ''),
    path: 'spec.source.mysql.table',
    message: 'must not be empty',
  },
  {
    name: 'unknown source type without a plugin',
    object: set(hub(), 'spec.source.type', 'redis'),
    path: 'spec.source.type',
    message: /unknown source type "redis".*no datasource plugin is loaded/,
  },
  {
    name: 'source type with capitals',
    object: set(hub(), 'spec.source.type', 'MySQL'),
    path: 'spec.source.type',
    message: /must match/,
  },
  {
    name: 'missing postgresql block',
    object: set(hub(), 'spec.source.type', 'postgresql'),
    path: 'spec.source.postgresql',
    message: 'is required when spec.source.type is postgresql',
  },
  {
    name: 'unknown TLS mode',
    object: set(hub(), 'spec.source.mysql.tls', { mode: 'prefer' }),
    path: 'spec.source.mysql.tls.mode',
    message: 'must be one of disable, require, verify-ca, verify-full (got "prefer")',
  },
  {
    name: 'password ref without key',
    object: set(hub(), 'spec.source.mysql.passwordRef', { name: 's' }),
    path: 'spec.source.mysql.passwordRef.key',
    message: 'is required',
  },
  {
    name: 'password ref with an empty Secret name',
    object: set(hub(), 'spec.source.mysql.passwordRef', { name: '', key: 'password' }),
    path: 'spec.source.mysql.passwordRef.name',
    message: 'must name a Secret (an empty name can never be read)',
  },
  {
    name: 'password ref with an empty key',
    object: set(hub(), 'spec.source.mysql.passwordRef', { name: 's', key: '' }),
    path: 'spec.source.mysql.passwordRef.key',
    message: 'must name a key of the Secret (an empty key can never be read)',
  },
  {
    name: 'TLS CA ref with an empty Secret name',
    object: set(hub(), 'spec.source.mysql.tls', {
      mode: 'verify-ca',
      caSecretRef: { name: '', key: 'ca.crt' },
    }),
    path: 'spec.source.mysql.tls.caSecretRef.name',
    message: 'must name a Secret (an empty name can never be read)',
  },
  {
    name: 'extra mapping __proto__ that is not a string',
    object: set(hub(), 'spec.extraValueMappings', JSON.parse('{"__proto__": 3}') as Json),
    path: 'spec.extraValueMappings.__proto__',
    message: 'must be a string (got 3)',
  },
  {
    name: 'extra mappings that are not a map',
    object: set(hub(), 'spec.extraValueMappings', ['plan']),
    path: 'spec.extraValueMappings',
    message: 'must be an object (got a list)',
  },
  {
    name: 'deletion guard over 100%',
    object: set(hub(), 'spec.deletionGuard', { maxDeletePercent: 101 }),
    path: 'spec.deletionGuard.maxDeletePercent',
    message: 'must be at most 100 (got 101)',
  },
  {
    name: 'empty extra mapping column',
    object: set(hub(), 'spec.extraValueMappings.planId', ''),
    path: 'spec.extraValueMappings.planId',
    message: 'column name must not be empty',
  },
  {
    name: 'misspelled field',
    object: set(hub(), 'spec.source.mysql.hostname', 'db'),
    path: 'spec.source.mysql.hostname',
    message: 'unknown field',
  },
  {
    name: 'wrong kind',
    object: set(hub(), 'kind', 'LynqForm'),
    path: 'kind',
    message: 'must be "LynqHub" (got "LynqForm")',
  },
  {
    name: 'wrong apiVersion',
    object: set(hub(), 'apiVersion', 'operator.lynq.sh/v1beta1'),
    path: 'apiVersion',
    message: /must be "operator.lynq.sh\/v1"/,
  },
];

const formCases: Case[] = [
  {
    name: 'missing hubId',
    object: set(form(), 'spec.hubId', ''),
    path: 'spec.hubId',
    message: 'hubId is required',
  },
  {
    name: 'unknown deletion policy',
    object: set(form(), 'spec.deployments[1].deletionPolicy', 'Sometimes'),
    path: 'spec.deployments[1].deletionPolicy',
    message: 'must be one of Delete, Retain (got "Sometimes")',
  },
  {
    name: 'unknown creation policy',
    object: set(form(), 'spec.deployments[0].creationPolicy', 'Always'),
    path: 'spec.deployments[0].creationPolicy',
    message: /must be one of Once, WhenNeeded/,
  },
  {
    name: 'unknown conflict policy',
    object: set(form(), 'spec.services[0].conflictPolicy', 'Ignore'),
    path: 'spec.services[0].conflictPolicy',
    message: /must be one of Force, Stuck/,
  },
  {
    name: 'patch strategy in capitals',
    object: set(form(), 'spec.deployments[2].patchStrategy', 'Apply'),
    path: 'spec.deployments[2].patchStrategy',
    message: 'must be one of apply, merge, replace (got "Apply")',
  },
  {
    name: 'duplicate ids across lists',
    object: set(form(), 'spec.services[0].id', 'app'),
    path: 'spec.services[0].id',
    message: 'duplicate resource ID "app" (also used by spec.deployments[0])',
  },
  {
    name: 'empty id',
    object: set(form(), 'spec.deployments[1].id', ''),
    path: 'spec.deployments[1].id',
    message: 'resource must have a non-empty ID',
  },
  {
    name: 'missing id',
    object: set(form(), 'spec.deployments[1].id', undefined),
    path: 'spec.deployments[1].id',
    message: 'is required',
  },
  {
    name: 'timeoutSeconds 0',
    object: set(form(), 'spec.deployments[2].timeoutSeconds', 0),
    path: 'spec.deployments[2].timeoutSeconds',
    message: 'must be at least 1 (got 0)',
  },
  {
    name: 'timeoutSeconds 3601',
    object: set(form(), 'spec.deployments[2].timeoutSeconds', 3601),
    path: 'spec.deployments[2].timeoutSeconds',
    message: 'must be at most 3600 (got 3601)',
  },
  {
    name: 'timeoutSeconds fractional',
    object: set(form(), 'spec.deployments[0].timeoutSeconds', 1.5),
    path: 'spec.deployments[0].timeoutSeconds',
    message: /must be an integer/,
  },
  {
    name: 'maxSkew -1',
    object: set(form(), 'spec.rollout', { maxSkew: -1 }),
    path: 'spec.rollout.maxSkew',
    message: 'must be at least 0 (got -1)',
  },
  {
    name: 'progressDeadlineSeconds 30',
    object: set(form(), 'spec.rollout', { progressDeadlineSeconds: 30 }),
    path: 'spec.rollout.progressDeadlineSeconds',
    message: 'must be at least 60 (got 30)',
  },
  {
    name: 'unknown template syntax',
    object: set(form(), 'spec.templateSyntax', 'jinja'),
    path: 'spec.templateSyntax',
    message: 'must be one of go, nunjucks (got "jinja")',
  },
  {
    name: 'resource without spec',
    object: set(form(), 'spec.services[0].spec', undefined),
    path: 'spec.services[0].spec',
    message: 'is required',
  },
  {
    name: 'spec without kind',
    object: set(form(), 'spec.services[0].spec.kind', undefined),
    path: 'spec.services[0].spec.kind',
    message: 'is required',
  },
  {
    name: 'spec without apiVersion',
    object: set(form(), 'spec.deployments[0].spec.apiVersion', undefined),
    path: 'spec.deployments[0].spec.apiVersion',
    message: 'is required',
  },
  {
    name: 'no name at all',
    object: set(form(), 'spec.deployments[1].nameTemplate', undefined),
    path: 'spec.deployments[1].nameTemplate',
    message: 'is required (or set spec.metadata.name)',
  },
  {
    name: 'dependIds not a list',
    object: set(form(), 'spec.services[0].dependIds', 'app'),
    path: 'spec.services[0].dependIds',
    message: 'must be a list (got "app")',
  },
  {
    name: 'waitForReady as a string',
    object: set(form(), 'spec.deployments[0].waitForReady', 'yes'),
    path: 'spec.deployments[0].waitForReady',
    message: 'must be a boolean (got "yes")',
  },
  {
    name: 'misspelled dependIds',
    object: set(form(), 'spec.services[0].dependsOn', ['app']),
    path: 'spec.services[0].dependsOn',
    message: 'unknown field',
  },
  {
    name: 'label template value not a string',
    object: set(form(), 'spec.deployments[0].labelsTemplate', { tier: 3 }),
    path: 'spec.deployments[0].labelsTemplate.tier',
    message: 'must be a string (got 3)',
  },
  {
    name: 'list that is not a list',
    object: set(form(), 'spec.configMaps', { id: 'x' }),
    path: 'spec.configMaps',
    message: 'must be a list (got an object)',
  },
];

describe('validateHub rejects invalid hubs with the exact field path', () => {
  it.each(hubCases)('$name', ({ object, path, message }) => {
    const result = validateHub(applyHubDefaults(object));
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({
      path,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
  });
});

describe('validateForm rejects invalid forms with the exact field path', () => {
  it.each(formCases)('$name', ({ object, path, message }) => {
    const result = validateForm(applyFormDefaults(object));
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual({
      path,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
  });
});

it('has at least 30 invalid cases', () => {
  expect(hubCases.length + formCases.length).toBeGreaterThanOrEqual(30);
});

describe('valid objects', () => {
  it('accepts the base hub and form', () => {
    expect(validateHub(applyHubDefaults(hub()))).toMatchObject({
      valid: true,
      errors: [],
      warnings: [],
    });
    expect(validateForm(applyFormDefaults(form()))).toMatchObject({
      valid: true,
      errors: [],
      warnings: [],
    });
  });

  it('accepts a plugin source type that a loaded plugin provides', () => {
    const h = set(set(hub(), 'spec.source.type', 'redis'), 'spec.source.mysql', undefined);
    set(h, 'spec.source.config', { url: 'redis://cache:6379', keyPattern: 'tenant:*' });
    const result = validateHub(applyHubDefaults(h), { pluginSourceTypes: ['redis'] });
    expect(result).toMatchObject({ valid: true, errors: [] });
    expect(result.value?.spec.source.config).toEqual({
      url: 'redis://cache:6379',
      keyPattern: 'tenant:*',
    });
  });

  it('accepts PostgreSQL with TLS and defaults its port and schema', () => {
    const h = set(set(hub(), 'spec.source.type', 'postgresql'), 'spec.source.mysql', undefined);
    set(h, 'spec.source.postgresql', {
      host: 'pg',
      username: 'reader',
      database: 'app',
      table: 'tenants',
      tls: { mode: 'verify-full', caSecretRef: { name: 'pg-ca', key: 'ca.crt' } },
    });
    const result = validateHub(applyHubDefaults(h));
    expect(result.valid).toBe(true);
    expect(result.value?.spec.source.postgresql).toMatchObject({ port: 5432, schema: 'public' });
  });

  it('returns every error at once', () => {
    const f = set(set(form(), 'spec.hubId', ''), 'spec.deployments[0].timeoutSeconds', 3601);
    set(f, 'spec.services[0].id', 'app');
    const result = validateForm(applyFormDefaults(f));
    // The schema error stops the semantic pass, so fix it and look again.
    expect(result.errors.map((e) => e.path)).toEqual(['spec.deployments[0].timeoutSeconds']);
    set(f, 'spec.deployments[0].timeoutSeconds', 60);
    expect(validateForm(applyFormDefaults(f)).errors.map((e) => e.path)).toEqual([
      'spec.hubId',
      'spec.services[0].id',
    ]);
  });
});

describe('warnings', () => {
  it('warns about extras that shadow built-in variables or are not identifiers', () => {
    const h = set(hub(), 'spec.extraValueMappings', { uid: 'other_id', 'plan-id': 'plan' });
    const result = validateHub(applyHubDefaults(h));
    expect(result.valid).toBe(true);
    expect(result.warnings).toEqual([
      {
        path: 'spec.extraValueMappings.uid',
        message: 'shadows the built-in template variable .uid',
      },
      {
        path: "spec.extraValueMappings['plan-id']",
        message: 'is not a template identifier: templates can only read it as index . "plan-id"',
      },
    ]);
  });

  it('warns about ignoreFields with Once and a kind in the wrong list', () => {
    const f = set(form(), 'spec.deployments[0].creationPolicy', 'Once');
    set(f, 'spec.deployments[0].ignoreFields', ['$.spec.replicas']);
    set(f, 'spec.services[0].spec.kind', 'ConfigMap');
    const result = validateForm(applyFormDefaults(f));
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => w.path)).toEqual([
      'spec.deployments[0].ignoreFields',
      'spec.services[0].spec.kind',
    ]);
  });
});

describe('validation hook', () => {
  it('runs pluggable checks on schema-valid forms and merges their issues', () => {
    const seen: string[] = [];
    const check: FormCheck = (f: LynqForm) => {
      seen.push(f.metadata.name ?? '');
      return {
        errors: [{ path: 'spec.services[0].dependIds[0]', message: 'from the check' }],
        warnings: [{ path: 'spec', message: 'careful' }],
      };
    };
    const result = parseForm(form(), { checks: [check] });
    expect(seen).toEqual(['web']);
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { path: 'spec.services[0].dependIds[0]', message: 'from the check' },
      ] satisfies FieldIssue[],
      warnings: [{ path: 'spec', message: 'careful' }],
    });
  });

  it('does not run checks on forms the schema rejected', () => {
    let called = false;
    const result = parseForm(set(form(), 'spec.templateSyntax', 'jinja'), {
      checks: [() => ((called = true), {})],
    });
    expect(result.ok).toBe(false);
    expect(called).toBe(false);
  });
});

describe('defaults', () => {
  it('applies the webhook defaults without touching explicit values', () => {
    const h = applyHubDefaults(
      set(set(hub(), 'spec.source.syncInterval', ''), 'spec.source.mysql.port', 0),
    );
    expect(h).toMatchObject({ spec: { source: { syncInterval: '30s', mysql: { port: 3306 } } } });
    const f = applyFormDefaults(set(form(), 'spec.deployments[0].waitForReady', false));
    const spec = f.spec as Json;
    expect((spec.deployments as Json[])[0]).toMatchObject({
      waitForReady: false,
      timeoutSeconds: 300,
    });
  });

  it('does not mutate its input', () => {
    const original = form();
    const copy = structuredClone(original);
    applyFormDefaults(original);
    expect(original).toEqual(copy);
  });

  it('leaves non-objects for validation to report', () => {
    expect(applyHubDefaults('nope')).toBe('nope');
    expect(parseHub('just text')).toMatchObject({
      ok: false,
      errors: [{ path: '', message: 'expected a LynqHub object' }],
    });
  });
});
