// The chart's dashboard.* values: off by default; on, a Deployment under the restricted Pod
// Security Standard (the operator's security contexts), a Service, and a ServiceAccount bound to
// the viewer ClusterRole, whose rules only read (get/list/watch) and never Secrets; the kinds it
// searches for orphans are the ones that role may list.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, goTool } from '../harness/index.js';

const CHART = join(REPO_ROOT, 'deploy', 'helm', 'lynq');

interface Obj {
  kind: string;
  metadata: { name: string };
  [k: string]: unknown;
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lynq-e2e-dashboard-chart-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function template(...set: string[]): Obj[] {
  const r = spawnSync(
    goTool('helm', 'helm'),
    ['template', 'lynq', CHART, '--namespace', 'lynq-system', ...set.flatMap((s) => ['--set', s])],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, HELM_CACHE_HOME: work, HELM_CONFIG_HOME: work, HELM_DATA_HOME: work },
    },
  );
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJSON() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

const named = (objs: Obj[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (o === undefined) throw new Error(`no ${kind} ${name}`);
  return o;
};

describe('chart dashboard.*', () => {
  it('is off by default', () => {
    expect(template().filter((o) => o.metadata.name.includes('dashboard'))).toEqual([]);
  });

  it('on: restricted pod, read-only RBAC through the viewer role, a Service', () => {
    const objs = template('dashboard.enabled=true');
    const dep = named(objs, 'Deployment', 'lynq-dashboard') as unknown as {
      spec: {
        selector: { matchLabels: Record<string, string> };
        template: {
          metadata: { labels: Record<string, string> };
          spec: {
            serviceAccountName: string;
            securityContext: Record<string, unknown>;
            containers: Array<{
              command: string[];
              args: string[];
              securityContext: Record<string, unknown>;
            }>;
          };
        };
      };
    };
    const pod = dep.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = pod.containers[0]!;
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.command).toEqual([
      '/nodejs/bin/node',
      '/app/node_modules/@lynq/dashboard/dist/main.js',
    ]);
    expect(c.args).toContain('--addr=0.0.0.0:8080');
    const kinds =
      c.args
        .find((a) => a.startsWith('--orphan-kinds='))
        ?.split('=')[1]
        ?.split(',') ?? [];
    expect(kinds).toContain('ConfigMap');
    expect(kinds).not.toContain('Secret');
    // Not selected by the operator's Deployment, Service or PodDisruptionBudget (control-plane label).
    expect(dep.spec.template.metadata.labels['control-plane']).toBeUndefined();
    expect(dep.spec.selector.matchLabels).toMatchObject({
      'app.kubernetes.io/component': 'dashboard',
    });

    const binding = named(objs, 'ClusterRoleBinding', 'lynq-dashboard-viewer') as unknown as {
      roleRef: { kind: string; name: string };
      subjects: Array<{ name: string; namespace: string }>;
    };
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: 'lynq-system' },
    ]);
    const role = named(objs, binding.roleRef.kind, binding.roleRef.name) as unknown as {
      rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    };
    for (const rule of role.rules) {
      expect(
        rule.verbs.every((v) => ['get', 'list', 'watch'].includes(v)),
        JSON.stringify(rule),
      ).toBe(true);
      expect(rule.resources).not.toContain('secrets');
      expect(rule.resources).not.toContain('*');
    }
    const svc = named(objs, 'Service', 'lynq-dashboard') as unknown as {
      spec: {
        selector: Record<string, string>;
        ports: Array<{ port: number; targetPort: string }>;
      };
    };
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, targetPort: 'http' });
    named(objs, 'ServiceAccount', pod.serviceAccountName);
  });

  it('refuses to deploy without the viewer role', () => {
    expect(() => template('dashboard.enabled=true', 'rbac.viewer.create=false')).toThrow(
      /dashboard.enabled needs rbac.viewer.create/,
    );
  });
});
