// maxSkew rollout (Lynq e2e "rollout" group, reference §3.6, §3.2): with maxSkew 1 a form change
// reaches the nodes one at a time — never more than one node updating, never two Deployments
// rolling at once — and the form's rollout phase ends Complete; RolloutThrottled says why the
// others wait.
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations, type LynqForm, type LynqNode } from '@lynq/api';
import {
  Res,
  conditionOf,
  deployment,
  form,
  hub,
  mysqlSource,
  useScenario,
  type Condition,
} from './harness/index.js';

const s = useScenario({ name: 'rollout' });
const HUB = 'roll';
const FORM = 'app';
const UIDS = ['r1', 'r2', 'r3'];
const MAX_SKEW = 1;

interface Deploy {
  metadata: { name: string; generation?: number };
  spec: {
    replicas?: number;
    template: { spec: { containers: { env?: { name: string; value: string }[] }[] } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: Condition[];
  };
}

const versionOf = (d: Deploy) =>
  d.spec.template.spec.containers[0]?.env?.find((e) => e.name === 'VERSION')?.value;

/**
 * A Deployment that has finished rolling out its current spec, as maxSkew pacing reads it
 * (reference §3.6 (d)): observed, all replicas updated, ready and available, and a Progressing
 * condition, if any, True with NewReplicaSetAvailable. (Old pods still terminating do not count:
 * the pacing does not wait for them either.)
 */
function settled(d: Deploy): boolean {
  const want = d.spec.replicas ?? 1;
  const st = d.status ?? {};
  const progressing = conditionOf(d, 'Progressing');
  return (
    st.observedGeneration === d.metadata.generation &&
    st.updatedReplicas === want &&
    st.readyReplicas === want &&
    st.availableReplicas === want &&
    (progressing === undefined ||
      (progressing.status === 'True' && progressing.reason === 'NewReplicaSetAvailable'))
  );
}

function appForm(version: string) {
  return form({
    name: FORM,
    namespace: s.namespace,
    hubId: HUB,
    deployments: [
      deployment('app', { replicas: 1, env: { VERSION: version } }, { timeoutSeconds: 120 }),
    ],
    rollout: { maxSkew: MAX_SKEW },
  });
}

beforeAll(async () => {
  await s.db.insert(
    s.table,
    UIDS.map((id) => ({ id, active: '1', plan: 'x', region: 'y' })),
  );
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table, { syncInterval: '2s' }),
    }),
  );
  await s.create(appForm('v1'));
});

/** Nodes at `generation` that are not done: Ready≠True or status behind the spec. */
function updating(nodes: LynqNode[], generation: number): string[] {
  return nodes
    .filter(
      (n) =>
        n.metadata.annotations?.[Annotations.TemplateGeneration] === String(generation) &&
        (conditionOf(n, 'Ready')?.status !== 'True' ||
          n.status?.observedGeneration !== n.metadata.generation),
    )
    .map((n) => n.metadata.name ?? '');
}

/**
 * Watches the rollout to `version` until the form says Complete for `generation` and every
 * Deployment runs it, recording every observation that breaks maxSkew.
 */
async function followRollout(version: string, generation: number) {
  const violations: string[] = [];
  let maxUpdating = 0;
  const done = await s.waitFor(
    async (note) => {
      const [f, nodes, deploys] = await Promise.all([
        s.form(FORM),
        s.kube.nodesOf(HUB, s.namespace),
        s.kube.list<Deploy>(Res.Deployment, s.namespace),
      ]);
      const busy = updating(nodes, generation);
      const rolling = deploys
        .filter((d) => versionOf(d) === version && !settled(d))
        .map((d) => d.metadata.name);
      const reported = f?.status?.rollout?.updatingNodes ?? 0;
      maxUpdating = Math.max(maxUpdating, busy.length, reported);
      if (busy.length > MAX_SKEW) violations.push(`nodes updating at once: ${busy.join(', ')}`);
      if (rolling.length > MAX_SKEW)
        violations.push(`Deployments rolling at once: ${rolling.join(', ')}`);
      if (reported > MAX_SKEW) violations.push(`form status updatingNodes ${reported}`);
      const rollout = f?.status?.rollout;
      note({
        rollout,
        busy,
        rolling,
        versions: deploys.map((d) => `${d.metadata.name}=${versionOf(d)}`),
      });
      const complete =
        rollout?.phase === 'Complete' &&
        (rollout.targetGeneration === undefined || rollout.targetGeneration === generation) &&
        rollout.updatedNodes === UIDS.length &&
        rollout.readyUpdatedNodes === UIDS.length &&
        deploys.length === UIDS.length &&
        deploys.every((d) => versionOf(d) === version && settled(d));
      return complete ? f : undefined;
    },
    {
      what: `rollout of ${version} (generation ${generation}) Complete`,
      timeoutMs: 150_000,
      intervalMs: 200,
    },
  );
  return { form: done, violations, maxUpdating };
}

describe('maxSkew rollout', () => {
  it('the first rollout (creations are paced too) ends Complete', async () => {
    const f = await s.kube.mustGet<LynqForm>(Res.Form, FORM, s.namespace);
    const { form: done, violations } = await followRollout('v1', f.metadata.generation ?? 1);
    expect(violations).toEqual([]);
    expect(done.status?.rollout).toMatchObject({
      phase: 'Complete',
      totalNodes: 3,
      updatedNodes: 3,
      readyUpdatedNodes: 3,
    });
    expect(done.status?.rollout?.completionTime).toBeTruthy();
  });

  it('a form change rolls out one node at a time, throttling the rest, and ends Complete', async () => {
    const current = await s.kube.mustGet<LynqForm>(Res.Form, FORM, s.namespace);
    const updated = await s.kube.mergePatch<LynqForm>(Res.Form, FORM, s.namespace, {
      metadata: { resourceVersion: current.metadata.resourceVersion },
      spec: appForm('v2').spec,
    });
    const generation = updated.metadata.generation ?? 0;
    expect(generation).toBeGreaterThan(current.metadata.generation ?? 0);
    const started = Date.now();
    const { form: done, violations, maxUpdating } = await followRollout('v2', generation);
    console.info(`rollout of 3 nodes with maxSkew 1 took ${Date.now() - started} ms`);
    expect(violations).toEqual([]);
    expect(maxUpdating).toBeLessThanOrEqual(MAX_SKEW);
    expect(done.status?.rollout).toMatchObject({ phase: 'Complete', updatingNodes: 0 });
    expect(done.status?.rollout?.startTime).toBeTruthy();
    const throttled = await s.event({ kind: 'LynqHub', name: HUB }, 'RolloutThrottled');
    expect(throttled[0]?.type).toBe('Normal');
    expect(throttled.map((e) => e.message).join('\n')).toContain(FORM);
    for (const n of await s.kube.nodesOf(HUB, s.namespace)) {
      expect(n.metadata.annotations?.[Annotations.TemplateGeneration]).toBe(String(generation));
      expect(conditionOf(n, 'Ready')?.status).toBe('True');
    }
  });
});
