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
const STUCK = 'stuck';
/** The stuck form has a hub of its own (same rows), so its throttling events stay apart. */
const STUCK_HUB = 'roll-stuck';
const DEADLINE_S = 60;

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
  await s.create(
    hub({
      name: STUCK_HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table, { syncInterval: '2s' }),
    }),
  );
  await s.create(stuckForm(true));
});

/**
 * A form whose Deployment can never become ready (its pods select a node that does not exist),
 * with the shortest progress deadline the API allows.
 */
function stuckForm(unschedulable: boolean) {
  const base = deployment('pinned', { replicas: 1 }, { timeoutSeconds: 600 });
  const spec = base.spec as { spec: { template: { spec: Record<string, unknown> } } };
  if (unschedulable) spec.spec.template.spec['nodeSelector'] = { 'e2e.lynq.sh/nowhere': 'true' };
  return form({
    name: STUCK,
    namespace: s.namespace,
    hubId: STUCK_HUB,
    deployments: [base],
    rollout: { maxSkew: 1, progressDeadlineSeconds: DEADLINE_S },
  });
}

/** The nodes and Deployments of the `app` form (the `stuck` form's are in the same namespace). */
const appNodes = async () =>
  (await s.kube.nodesOf(HUB, s.namespace)).filter((n) => n.spec?.templateRef === FORM);
const appDeployments = async () =>
  (await s.kube.list<Deploy>(Res.Deployment, s.namespace)).filter((d) =>
    d.metadata.name.endsWith('-app'),
  );

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
      const [f, nodes, deploys] = await Promise.all([s.form(FORM), appNodes(), appDeployments()]);
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
    // No resourceVersion precondition: the operator writes the form's status all the time.
    const updated = await s.kube.mergePatch<LynqForm>(Res.Form, FORM, s.namespace, {
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
    const throttled = await s.event({ kind: 'LynqHub', name: HUB }, 'RolloutThrottled', {
      messageIncludes: `'${FORM}'`,
    });
    expect(throttled[0]?.type).toBe('Normal');
    for (const n of await appNodes()) {
      expect(n.metadata.annotations?.[Annotations.TemplateGeneration]).toBe(String(generation));
      expect(
        conditionOf(n, 'Ready')?.status,
        `${n.metadata.name} Ready after Complete: ${JSON.stringify(n.status)}`,
      ).toBe('True');
    }
  });
  it('a rollout without progress past progressDeadlineSeconds is Failed, naming the stuck node; the app form was not held up', async () => {
    const f = await s.waitFor(
      async (note) => {
        const x = await s.form(STUCK);
        note(x?.status?.rollout);
        return x?.status?.rollout?.phase === 'Failed' ? x : undefined;
      },
      { what: `form ${STUCK} rollout Failed`, timeoutMs: (DEADLINE_S + 45) * 1000 },
    );
    const stuckNodes = await s.kube.nodesOf(STUCK_HUB, s.namespace);
    // maxSkew 1: the first node never got ready, so no other was made.
    expect(stuckNodes).toHaveLength(1);
    const name = stuckNodes[0]?.metadata.name ?? '';
    expect(f.status?.rollout?.message).toContain(name);
    const failed = await s.event({ kind: 'LynqForm', name: STUCK }, 'RolloutFailed');
    expect(failed[0]?.type).toBe('Warning');
    expect(failed[0]?.message).toContain(name);
  });

  it('fixing the stuck form lets its rollout finish', async () => {
    await s.kube.mergePatch(Res.Form, STUCK, s.namespace, { spec: stuckForm(false).spec });
    const done = await s.waitFor(
      async (note) => {
        const x = await s.form(STUCK);
        note(x?.status?.rollout);
        return x?.status?.rollout?.phase === 'Complete' &&
          x.status.rollout.totalNodes === UIDS.length
          ? x
          : undefined;
      },
      { what: `form ${STUCK} rollout Complete`, timeoutMs: 90_000 },
    );
    expect(done.status?.rollout?.readyUpdatedNodes).toBe(UIDS.length);
  });
});
