import { describe, expect, it } from 'vitest';
import { errorFromLogLine } from './operator.js';
import { renderTable, type NodeView, type Snapshot } from './table.js';

const acme: NodeView = {
  name: 'acme-web',
  ready: 2,
  desired: 4,
  failed: 0,
  reason: 'NotAllResourcesReady',
  deleting: false,
  resources: [
    { kind: 'ConfigMap', name: 'acme-config', ready: true, reason: 'Ready' },
    { kind: 'Deployment', name: 'acme-app', ready: false, reason: 'ReplicasNotReady' },
    { kind: 'Service', name: 'acme-web', ready: undefined },
    { kind: 'Ingress', name: 'acme-web', ready: undefined },
  ],
};

const snapshot: Snapshot = {
  hubs: [{ name: 'demo-tenants', desired: 2, ready: 1, failed: 0, reason: 'DatabaseConnected' }],
  nodes: [
    acme,
    {
      name: 'globex-web',
      ready: 0,
      desired: 0,
      failed: 0,
      reason: undefined,
      deleting: true,
      resources: [],
    },
  ],
  operator: 'running, pid 42, log apps/demo/logs/operator.log',
};

describe('renderTable', () => {
  it('shows the hub, each node with its counts and reason, and each resource', () => {
    expect(renderTable(snapshot)).toBe(
      [
        'LynqHub demo-tenants: desired 2, ready 1, failed 0 (DatabaseConnected)',
        '',
        'NODE / RESOURCE          READY  DESIRED  FAILED  STATUS',
        'acme-web                 2      4        0       NotAllResourcesReady',
        '  ConfigMap/acme-config  yes',
        '  Deployment/acme-app    no                      ReplicasNotReady',
        '  Service/acme-web       -                       not created',
        '  Ingress/acme-web       -                       not created',
        'globex-web               0      0        0       Deleting',
        '',
        'operator: running, pid 42, log apps/demo/logs/operator.log',
      ].join('\n'),
    );
  });

  it('shows a failing node’s last warning and which resources were skipped', () => {
    const failing: NodeView = {
      name: 'wayne-web',
      ready: 0,
      desired: 3,
      failed: 1,
      reason: 'ResourcesFailed',
      deleting: false,
      warning: 'ApplyFailed: Failed to apply resource config: 422 Invalid',
      resources: [
        { kind: 'ConfigMap', name: 'Wayne-config', ready: undefined },
        { kind: 'Deployment', name: 'Wayne-app', ready: undefined, skipped: true },
      ],
    };
    const healthy: NodeView = { ...acme, name: 'acme', reason: 'Reconciled', warning: 'old' };
    expect(
      renderTable({ ...snapshot, nodes: [failing, healthy] })
        .split('\n')
        .slice(2, -2),
    ).toEqual([
      'NODE / RESOURCE           READY  DESIRED  FAILED  STATUS',
      'acme                      2      4        0       Reconciled',
      '  ConfigMap/acme-config   yes',
      '  Deployment/acme-app     no                      ReplicasNotReady',
      '  Service/acme-web        -                       not created',
      '  Ingress/acme-web        -                       not created',
      'wayne-web                 0      3        1       ResourcesFailed',
      '  ! ApplyFailed: Failed to apply resource config: 422 Invalid',
      '  ConfigMap/Wayne-config  -                       not created',
      '  Deployment/Wayne-app    -                       skipped: a dependency failed',
    ]);
  });

  it('shows why the hub is not Ready', () => {
    const hub = {
      name: 'demo-tenants',
      desired: 3,
      ready: 3,
      failed: 0,
      reason: 'DatabaseConnectionFailed',
      problem: 'table test.lynq_demo_tenants does not exist',
    };
    expect(
      renderTable({ ...snapshot, hubs: [hub] })
        .split('\n')
        .slice(0, 3),
    ).toEqual([
      'LynqHub demo-tenants: desired 3, ready 3, failed 0 (DatabaseConnectionFailed)',
      '  ! table test.lynq_demo_tenants does not exist',
      '',
    ]);
  });

  it('sorts nodes by name, whatever order the API server listed them in', () => {
    const reversed = { ...snapshot, nodes: [...snapshot.nodes].reverse() };
    expect(renderTable(reversed)).toBe(renderTable(snapshot));
  });

  it('says what is missing before the operator wrote any status', () => {
    const text = renderTable({
      hubs: [{ name: 'demo-tenants', desired: 0, ready: 0, failed: 0, reason: undefined }],
      nodes: [{ ...acme, reason: undefined, ready: 0, desired: 0, resources: [] }],
      operator: 'running',
    });
    expect(text).toContain('(no status yet)');
    expect(text).toMatch(/^acme-web +0 +0 +0 +Pending \(no status yet\)$/m);
  });

  it('shows an empty namespace, the last operator error and a failed read', () => {
    const text = renderTable({
      hubs: [],
      nodes: [],
      operator: 'running',
      lastError: '17:12:03 reconcile failed - boom',
      readError: 'connect ECONNREFUSED 127.0.0.1:6443',
    });
    expect(text.split('\n')).toEqual([
      'LynqHub: none yet',
      '',
      'No LynqNodes (no active rows yet, or the operator has not synced the hub).',
      '',
      'operator: running',
      'last operator error: 17:12:03 reconcile failed - boom',
      'cannot read the cluster: connect ECONNREFUSED 127.0.0.1:6443',
    ]);
  });
});

describe('errorFromLogLine', () => {
  it('keeps error entries: time, message and error field', () => {
    const line = JSON.stringify({
      time: '2026-07-01T17:12:03.123Z',
      level: 'error',
      msg: 'reconcile failed',
      error: 'boom',
    });
    expect(errorFromLogLine(line)).toBe('17:12:03 reconcile failed - boom');
  });

  it('ignores other levels, blank lines and non-error text', () => {
    expect(errorFromLogLine(JSON.stringify({ level: 'info', msg: 'started' }))).toBeUndefined();
    expect(errorFromLogLine(JSON.stringify({ level: 'warn', msg: 'slow' }))).toBeUndefined();
    expect(errorFromLogLine('   ')).toBeUndefined();
    expect(errorFromLogLine('(node:1) ExperimentalWarning: something')).toBeUndefined();
  });

  it('keeps a crash line that is not JSON', () => {
    expect(errorFromLogLine('TypeError: x is undefined')).toBe('TypeError: x is undefined');
  });

  it('names the controller and object of a failed reconcile', () => {
    const line = JSON.stringify({
      time: '2026-07-01T17:12:03.123Z',
      level: 'error',
      msg: 'reconcile failed',
      controller: 'lynqnode',
      namespace: 'lynq-demo',
      name: 'acme-web',
      retries: 2,
      error: 'boom',
    });
    expect(errorFromLogLine(line)).toBe(
      '17:12:03 reconcile failed (lynqnode lynq-demo/acme-web) - boom',
    );
  });

  it('prints a structured error field as JSON', () => {
    const line = JSON.stringify({ level: 'error', msg: 'apply failed', err: { code: 'CONFLICT' } });
    expect(errorFromLogLine(line)).toBe('apply failed - {"code":"CONFLICT"}');
  });
});
