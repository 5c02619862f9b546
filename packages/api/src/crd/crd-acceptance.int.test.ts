// The generated CRDs (deploy/crds) on a real API server: Lynq's own objects are accepted, and
// what the parser says about nulls, conditions and date-times is what the server does.
import { request, type RequestOptions } from 'node:https';
import { installCrds, useTestNamespace } from '@lynq/testkit';
import type { KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { API_VERSION, GROUP, Plurals, VERSION } from '../names.js';
import { parseHub, parseNode } from '../parse.js';
import { isApiDateTime } from '../schemas/date-time.js';
import { lynqObjects } from '../testdata/lynq-objects.js';

type Json = Record<string, unknown>;

interface ApiResponse {
  status: number;
  body: string;
}

/** One request to the API server with the test kubeconfig's credentials; the body as text. */
async function api(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  accept = 'application/json',
): Promise<ApiResponse> {
  const server = new URL(kc.getCurrentCluster()!.server);
  const options: RequestOptions = {
    method,
    hostname: server.hostname,
    port: server.port,
    path,
    headers: { accept, 'content-type': 'application/json' },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const pluralOf: Record<string, string> = {
  LynqHub: Plurals.Hub,
  LynqForm: Plurals.Form,
  LynqNode: Plurals.Node,
};

describe('generated CRDs on the API server', () => {
  const ns = useTestNamespace({ prefix: 'api-crd' });
  const base = (kind: string) =>
    `/apis/${GROUP}/${VERSION}/namespaces/${ns.name}/${pluralOf[kind]}`;

  /** Creates `object` (dry run unless `persist`); the response body parsed when it succeeded. */
  async function create(object: Json, persist = false): Promise<ApiResponse & { object?: Json }> {
    const kind = object['kind'] as string;
    const res = await api(
      ns.kubeConfig,
      'POST',
      `${base(kind)}${persist ? '' : '?dryRun=All'}`,
      object,
    );
    return res.status === 201 ? { ...res, object: JSON.parse(res.body) as Json } : res;
  }

  /** Writes `status` on a fresh node (dry run unless `persist`) and returns the response. */
  async function putNodeStatus(status: Json, persist = false): Promise<ApiResponse> {
    const name = `status-${Math.random().toString(36).slice(2, 10)}`;
    const created = await create(
      {
        apiVersion: API_VERSION,
        kind: 'LynqNode',
        metadata: { name },
        spec: { uid: 'acme', templateRef: 'web' },
      },
      true,
    );
    expect(created.status, created.body).toBe(201);
    return api(
      ns.kubeConfig,
      'PUT',
      `${base('LynqNode')}/${name}/status${persist ? '' : '?dryRun=All'}`,
      { ...created.object, status },
    );
  }

  const condition = {
    type: 'Ready',
    status: 'True',
    reason: 'Reconciled',
    message: '',
    lastTransitionTime: '2025-06-01T10:00:00Z',
  };

  beforeAll(async () => {
    await installCrds(ns.kubeConfig);
  });

  it.each(lynqObjects())('accepts Lynq’s $file', async ({ text }) => {
    const object = parse(text) as Json;
    const res = await create(object);
    expect(res.status, res.body).toBe(201);
  });

  it('accepts the status Lynq’s operator writes on a LynqNode', async () => {
    const node = lynqObjects().find((o) => o.file === 'go/lynqnode-with-status.yaml')!;
    const res = await putNodeStatus((parse(node.text) as { status: Json }).status);
    expect(res.status, res.body).toBe(200);
  });

  it('stores the config/samples LynqNode (spec: empty) without spec, and parseNode reads it', async () => {
    const sample = parse(
      lynqObjects().find((o) => o.file === 'go/lynqnode-sample.yaml')!.text,
    ) as Json;
    expect(sample).toHaveProperty('spec', null);
    const res = await create(sample, true);
    expect(res.status, res.body).toBe(201);
    expect(res.object).not.toHaveProperty('spec');
    expect(parseNode(res.object)).toMatchObject({ ok: true, warnings: [{ path: 'spec' }] });
  });

  it('accepts an empty passwordRef name and key, which validateHub reports', async () => {
    const hub = parse(lynqObjects().find((o) => o.file === 'go/lynqhub-sample.yaml')!.text) as {
      spec: { source: { mysql: Json } };
    };
    hub.spec.source.mysql['passwordRef'] = { name: '', key: '' };
    const res = await create(hub as unknown as Json);
    expect(res.status, res.body).toBe(201);
    const parsed = parseHub(hub);
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.path)).toEqual([
      'spec.source.mysql.passwordRef.name',
      'spec.source.mysql.passwordRef.key',
    ]);
  });

  it('stores an extra mapping named __proto__ as an ordinary key, and parseHub keeps it', async () => {
    const hub = parse(lynqObjects().find((o) => o.file === 'go/lynqhub-minimal.yaml')!.text) as {
      metadata: Json;
      spec: Json;
    };
    hub.metadata['name'] = 'proto-hub';
    hub.spec['extraValueMappings'] = JSON.parse('{"__proto__": "plan"}') as unknown;
    const res = await create(hub as unknown as Json, true);
    expect(res.status, res.body).toBe(201);
    expect(res.body).toContain('"extraValueMappings":{"__proto__":"plan"}');
    const parsed = parseHub(res.body);
    expect(parsed.ok).toBe(true);
    if (parsed.ok)
      expect(Object.entries(parsed.value.spec.extraValueMappings ?? {})).toEqual([
        ['__proto__', 'plan'],
      ]);
  });

  describe('status.conditions follow metav1.Condition', () => {
    it('accepts an empty message', async () => {
      const res = await putNodeStatus({ conditions: [condition] });
      expect(res.status, res.body).toBe(200);
    });

    it.each([
      ['reason', undefined],
      ['reason', ''],
      ['message', undefined],
      ['lastTransitionTime', undefined],
      ['type', 'not a type!'],
    ])('rejects %s = %j', async (field, value) => {
      const broken: Json = { ...condition };
      if (value === undefined) delete broken[field];
      else broken[field] = value;
      const res = await putNodeStatus({ conditions: [broken] });
      expect(res.status, res.body).toBe(422);
      expect(res.body).toContain(`status.conditions[0].${field}`);
    });

    it('agrees with isApiDateTime on which lastTransitionTime values are date-times', async () => {
      const candidates = [
        '2025-06-01T10:00:00Z',
        '2025-06-01T10:00:00.5Z',
        '2025-06-01T10:00:00.123456789+09:00',
        '2025-06-01t10:00:00z',
        '2024-02-29T10:00:00Z',
        '2025-06-01T10:00:00',
        '2025-06-01 10:00:00Z',
        '2025-06-01T10:00Z',
        '2025-02-29T10:00:00Z',
        '2025-06-31T10:00:00Z',
        '2025-13-01T10:00:00Z',
        '2025-06-01T24:00:00Z',
        '2025-06-01T10:00:60Z',
        '2025-06-01T10:00:00+0900',
        '2025-06-01',
        'yesterday',
        '2025-06-01T10:00:00,5Z',
        '2025-06-01T10:00:00.Z',
        '2025-06-01T10:00:00+09:60',
        '2025-06-01T10:00:00+24:00',
        ' 2025-06-01T10:00:00Z',
        '2025-06-01T10:00:00Z ',
        '0000-01-01T00:00:00Z',
        '2025-06-01T10:00:00ZT',
        '2025-06-01TT10:00:00Z',
        '+2025-06-01T10:00:00Z',
        '2025-6-01T10:00:00Z',
        '2025-06-01T1:00:00Z',
      ];
      const server: Record<string, boolean> = {};
      const ours: Record<string, boolean> = {};
      for (const value of candidates) {
        const res = await putNodeStatus({
          conditions: [{ ...condition, lastTransitionTime: value }],
        });
        expect([200, 422], res.body).toContain(res.status);
        server[value] = res.status === 200;
        ours[value] = isApiDateTime(value);
      }
      expect(ours).toEqual(server);
    });
  });

  it('prints the Conflicted condition’s status in the Conflicted column, the count with -o wide', async () => {
    const res = await putNodeStatus(
      {
        conflictedResources: 2,
        conditions: [
          { ...condition, type: 'Conflicted', reason: 'ResourceConflict', message: '2 resources' },
        ],
      },
      true,
    );
    expect(res.status, res.body).toBe(200);
    const name = (JSON.parse(res.body) as { metadata: { name: string } }).metadata.name;
    const table = await api(
      ns.kubeConfig,
      'GET',
      `${base('LynqNode')}/${name}`,
      undefined,
      'application/json;as=Table;v=v1;g=meta.k8s.io',
    );
    expect(table.status, table.body).toBe(200);
    const { columnDefinitions, rows } = JSON.parse(table.body) as {
      columnDefinitions: { name: string; type: string; priority: number }[];
      rows: { cells: unknown[] }[];
    };
    const cell = (column: string) =>
      rows[0]!.cells[columnDefinitions.findIndex((c) => c.name === column)];
    expect(cell('Conflicted')).toBe('True');
    expect(cell('ConflictedResources')).toBe(2);
    expect(columnDefinitions.find((c) => c.name === 'Conflicted')).toMatchObject({
      type: 'string',
      priority: 0,
    });
    expect(columnDefinitions.find((c) => c.name === 'ConflictedResources')).toMatchObject({
      type: 'integer',
      priority: 1,
    });
  });
});
