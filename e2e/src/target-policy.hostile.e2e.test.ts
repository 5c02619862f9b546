// Hostile rows and forms against the real operator (docs/hostile-input.md): a row whose value
// steers a templated targetNamespace into kube-system, a row that makes a name longer than 253
// characters, and a form that renders a ClusterRoleBinding to cluster-admin. Each such resource
// fails alone with ApplyFailed naming resource, field and reason, nothing is written outside
// the bounds, and the node's other resources and the other row's node are applied.
import { beforeAll, describe, expect, it } from 'vitest';
import { resourceType } from '@lynq/runtime';
import {
  Res,
  conditionOf,
  configMap,
  form,
  hub,
  manifest,
  mysqlSource,
  nodeName,
  useScenario,
} from './harness/index.js';

const s = useScenario({ name: 'hostile' });
const HUB = 'hx';
const FORM = 'tgt';
const GOOD = 'good';
const EVIL = 'evil';
const ClusterRoleBinding = resourceType(
  'rbac.authorization.k8s.io/v1',
  'ClusterRoleBinding',
  'clusterrolebindings',
  false,
);

beforeAll(async () => {
  await s.db.insert(s.table, [
    { id: GOOD, active: '1', plan: '', region: 'eu' },
    { id: EVIL, active: '1', plan: 'kube-system', region: 'r'.repeat(60) },
  ]);
  await s.create(
    hub({
      name: HUB,
      namespace: s.namespace,
      source: mysqlSource(s.table),
      extraValueMappings: { plan: 'plan', region: 'region' },
    }),
  );
  await s.create(
    form({
      name: FORM,
      namespace: s.namespace,
      hubId: HUB,
      configMaps: [
        configMap('local', { a: 'b' }),
        configMap('steered', { a: 'b' }, { targetNamespace: '{{ .plan }}' }),
        { ...configMap('long', { a: 'b' }), nameTemplate: '{{ .uid }}-{{ repeat 5 .region }}' },
      ],
      manifests: [
        manifest('admin', {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'cluster-admin',
          },
          subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: s.namespace }],
        }),
      ],
    }),
  );
});

function counts(name: string, failed: number, ready: number) {
  return s.waitFor(
    async (note) => {
      const n = await s.node(name);
      note(n?.status);
      return n?.status?.failedResources === failed && n.status.readyResources === ready
        ? n
        : undefined;
    },
    { what: `LynqNode ${name}: ${failed} failed, ${ready} ready`, timeoutMs: 60_000 },
  );
}

describe('the target policy on the apply path', () => {
  it('a row steering into kube-system, a 300-character name and a ClusterRoleBinding each fail alone', async () => {
    const evil = nodeName(EVIL, FORM);
    const node = await counts(evil, 3, 1);
    expect(conditionOf(node, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ResourcesFailed',
    });
    const about = { kind: 'LynqNode', name: evil };
    await s.event(about, 'ApplyFailed', {
      messageIncludes:
        'spec.configMaps[1].targetNamespace: ConfigMap "evil-steered" is refused: it targets namespace "kube-system", a protected namespace',
    });
    await s.event(about, 'ApplyFailed', { messageIncludes: 'Kubernetes allows at most 253' });
    await s.event(about, 'ApplyFailed', {
      messageIncludes: 'ClusterRoleBinding.rbac.authorization.k8s.io is cluster-scoped',
    });
    await s.object(Res.ConfigMap, `${EVIL}-local`);
    expect(await s.kube.get(Res.ConfigMap, `${EVIL}-steered`, 'kube-system')).toBeUndefined();
    expect(await s.kube.get(ClusterRoleBinding, `${EVIL}-admin`)).toBeUndefined();
  });

  it('the harmless row is applied, except the ClusterRoleBinding; the form says why at once', async () => {
    await counts(nodeName(GOOD, FORM), 1, 3);
    await s.object(Res.ConfigMap, `${GOOD}-steered`);
    expect(await s.kube.get(ClusterRoleBinding, `${GOOD}-admin`)).toBeUndefined();
    const f = await s.waitFor(
      async (note) => {
        const got = await s.form(FORM);
        note(got?.status);
        return conditionOf(got, 'Valid')?.status === 'False' ? got : undefined;
      },
      { what: `form ${FORM} Valid=False`, timeoutMs: 30_000 },
    );
    expect(conditionOf(f, 'Valid')?.message).toContain('spec.manifests[0].spec.kind');
  });
});
