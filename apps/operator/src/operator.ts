// Composition root: one RestClient shared by the manager, informers and the applier; the render
// host; the datasource registry; the three controllers. Nothing here decides anything.
import {
  API_VERSION,
  ControllerNames,
  EventSources,
  Metrics,
  Plurals,
  type LynqNode,
} from '@lynq/api';
import { Applier, KubeClient } from '@lynq/apply';
import { DatasourceRegistry, HubDatasources, type SecretResolver } from '@lynq/datasource';
import { RenderHost } from '@lynq/render/host';
import {
  DelegatedAuth,
  Manager,
  MetricsServer,
  RestClient,
  ServingCertificate,
  apiServerReviews,
  ignoreStatusOnlyChanges,
  jsonLogger,
  resourcePath,
  stripManagedFields,
  ownerRequests,
  requestFor,
  loadClusterCredentials,
  type ClusterCredentials,
  Resources,
  type KubeObject,
  type Logger,
  type Predicate,
  type Reconciler,
  type AddOptions,
  isAlreadyExists,
  isConflict,
  isNotFound,
  type Request,
} from '@lynq/runtime';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { FormType, HubType, NodeType, type OperatorContext } from './context.js';
import { Events } from './events.js';
import type { MetricsConfig, OperatorConfig } from './flags.js';
import { FormController } from './form-controller.js';
import { HubController } from './hub-controller.js';
import { LiveObjects } from './live-objects.js';
import { LynqMetrics } from './lynq-metrics.js';
import { NodeController } from './node-controller.js';
import { ProgressPacing } from './pacing.js';
import { RenderCache } from './render-cache.js';
import { forgetNodesOfReleasedShards, shardingOf } from './sharding.js';
import { startWebhooks } from './webhook/start-webhooks.js';

/** How long the last statuses and events may take at shutdown, before the Leases go. */
const FINAL_WRITES_MS = 5_000;

/** Something the operator cannot run without (a CRD, the API server); exit 1. */
export class StartupError extends Error {
  readonly code = 'STARTUP_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartupError';
  }
}

export interface RunningOperator {
  /** Resolves when the operator stopped by itself (lost leadership) or after stop(). */
  done: Promise<'stopped' | 'leadership-lost'>;
  /** Drains in-flight work (up to the grace period), releases the lease, closes everything. */
  stop(): Promise<void>;
  metricsPort: number | undefined;
  healthPort: number | undefined;
}

/**
 * Credentials from --kubeconfig, KUBECONFIG, in-cluster or ~/.kube/config. The runtime's light
 * loader keeps @kubernetes/client-node (about 50 MB and a second of start-up) out of the process
 * unless a kubeconfig needs an auth provider only it knows.
 */
async function loadKubeConfig(path: string | undefined): Promise<ClusterCredentials> {
  try {
    return await loadClusterCredentials(path !== undefined ? { path } : {});
  } catch (err) {
    // The loader's errors name the file, the entry and the field.
    throw new StartupError(
      `cannot load the kubeconfig: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/** Fails fast, naming what to install, when the Lynq CRDs are missing. */
async function checkCrds(client: RestClient): Promise<void> {
  let served: string[] = [];
  try {
    const list = await client.request<{ resources?: { name: string }[] }>({
      path: `/apis/${API_VERSION}`,
    });
    served = (list.resources ?? []).map((r) => r.name);
  } catch (err) {
    if (!isNotFound(err)) {
      throw new StartupError(
        `cannot reach the API server: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  }
  const missing = Object.values(Plurals).filter((p) => !served.includes(p));
  if (missing.length > 0) {
    throw new StartupError(
      `the API server does not serve ${missing.map((p) => `${p}.${API_VERSION.split('/')[0]}`).join(', ')}: ` +
        'install the CustomResourceDefinitions first (kubectl apply --server-side -f deploy/crds)',
    );
  }
}

/** A Lease cannot be taken in a namespace that does not exist: say so instead of retrying forever. */
async function checkLeaseNamespace(client: RestClient, namespace: string): Promise<void> {
  try {
    await client.request({ path: resourcePath(Resources.Namespace, undefined, namespace) });
  } catch (err) {
    if (!isNotFound(err)) return; // e.g. no permission to read namespaces: the elector will tell
    throw new StartupError(
      `the leader election namespace ${namespace} does not exist: create it or pass --leader-election-namespace`,
    );
  }
}

function secretResolver(client: RestClient, namespace: string): SecretResolver {
  return async ({ name, key }) => {
    const secret = await client.request<{ data?: Record<string, string> }>({
      path: resourcePath(Resources.Secret, namespace, name),
    });
    const value = secret.data?.[key];
    if (value === undefined)
      throw new Error(`Secret ${namespace}/${name} has no key ${JSON.stringify(key)}`);
    return Buffer.from(value, 'base64').toString('utf8');
  };
}

/** What a hub or form counts of a node: Ready, and whether its status saw its current spec. */
const progressOf = (n: KubeObject) => {
  const status = (n['status'] as LynqNode['status']) ?? {};
  return JSON.stringify([
    status.conditions?.find((c) => c.type === 'Ready')?.status,
    status.observedGeneration,
  ]);
};

const formOfNode = (node: KubeObject): Request[] => {
  const ref = (node['spec'] as { templateRef?: string } | undefined)?.templateRef;
  return ref && node.metadata.namespace ? [{ namespace: node.metadata.namespace, name: ref }] : [];
};

/**
 * A node deleted, or given a new spec or metadata (the hub writes its labels and annotations,
 * template-generation among them, which a rollout counts): its hub and form look at once. A new
 * node (the hub created it) and status changes are progress, batched below: a sync creating
 * thousands would otherwise re-plan the hub for each.
 */
const nodeSpecChanges: Predicate = {
  create: () => false,
  update: (a, b) =>
    a.metadata.generation !== b.metadata.generation ||
    a.metadata.deletionTimestamp !== b.metadata.deletionTimestamp ||
    !isDeepStrictEqual(a.metadata.annotations ?? {}, b.metadata.annotations ?? {}) ||
    !isDeepStrictEqual(a.metadata.labels ?? {}, b.metadata.labels ?? {}),
};

/**
 * A write from a cache that was one step behind (409 Conflict) is routine with watches: retry
 * soon, without logging it as a failure.
 */
function retryStale(reconcile: Reconciler): Reconciler {
  return async (req, rc) => {
    // Every request of a reconcile listens on its signal, and a sync writes many nodes at once.
    setMaxListeners(256, rc.signal);
    try {
      return await reconcile(req, rc);
    } catch (err) {
      if (!isConflict(err) || isAlreadyExists(err)) throw err;
      rc.logger.log('debug', 'object changed meanwhile; retrying', { ...req });
      return { requeue: true };
    }
  };
}

/**
 * What --metrics-secure needs: the serving certificate (from --metrics-cert-path, else self-signed
 * now) and the delegated authentication and authorization, asked through the operator's client.
 */
async function secureMetrics(
  metrics: MetricsConfig,
  client: RestClient,
  registry: Registry,
  logger: Logger,
): Promise<{ certificate: ServingCertificate; auth: DelegatedAuth }> {
  const certificate =
    metrics.certPath !== undefined
      ? await ServingCertificate.fromFiles(
          { dir: metrics.certPath, certName: metrics.certName, keyName: metrics.keyName },
          { logger },
        )
      : await ServingCertificate.selfSigned(
          { commonName: 'lynq-operator', hosts: ['localhost', hostname(), '127.0.0.1', '::1'] },
          { logger },
        );
  return {
    certificate,
    auth: new DelegatedAuth({ reviews: apiServerReviews(client), logger, registry }),
  };
}

export async function startOperator(
  config: OperatorConfig,
  logger: Logger = jsonLogger({ level: config.logLevel }),
): Promise<RunningOperator> {
  const kubeConfig = await loadKubeConfig(config.kubeconfig);
  // Requests in flight at once; watches have connections of their own beside these.
  const client = new RestClient(kubeConfig, { userAgent: 'lynq-operator', maxSockets: 64 });
  await checkCrds(client);
  if (config.leaderElection.enabled)
    await checkLeaseNamespace(client, config.leaderElection.namespace);
  const promRegistry = new Registry();
  collectDefaultMetrics({ register: promRegistry });
  const metrics = LynqMetrics.for(promRegistry);
  const sharding = shardingOf(
    config,
    () => new RestClient(kubeConfig, { userAgent: 'lynq-operator', maxSockets: 4 }),
  );
  const clients = sharding !== undefined ? [client, sharding.client] : [client];
  // Requests this process sent, by method: what an idle operator must keep at zero writes.
  new Counter({
    name: Metrics.RestClientRequestsTotal,
    help: 'Requests sent to the Kubernetes API server by this process, retries included',
    labelNames: ['method'],
    registers: [promRegistry],
    collect() {
      this.reset();
      for (const c of clients)
        for (const [method, n] of Object.entries(c.stats().byMethod)) this.inc({ method }, n);
    },
  });
  const le = config.leaderElection;
  let flushEvents = () => Promise.resolve();
  let writeHeldStatuses = (_signal: AbortSignal) => Promise.resolve();
  const manager = new Manager({
    kubeConfig,
    client,
    registry: promRegistry,
    logger,
    // Statuses and events of the last reconciles still go out under this process's lease, within
    // one budget (a slow API server must not keep the Lease held at shutdown); once the lease is
    // another's, no held status (it could overwrite the new leader's).
    beforeRelease: async ({ leadershipLost }) => {
      await Promise.all([
        leadershipLost ? undefined : writeHeldStatuses(AbortSignal.timeout(FINAL_WRITES_MS)),
        flushEvents(),
      ]);
    },
    namespace: config.namespace,
    // Nothing reads managedFields from a cache; they are often half of an object's size.
    informerDefaults: { transform: stripManagedFields },
    ...(config.healthAddress
      ? { healthPort: config.healthAddress.port, healthHost: config.healthAddress.host }
      : {}),
    ...(le.enabled
      ? {
          leaderElection: {
            namespace: le.namespace,
            name: le.id,
            leaseDurationMs: le.leaseDurationMs,
            renewDeadlineMs: le.renewDeadlineMs,
            retryPeriodMs: le.retryPeriodMs,
          },
        }
      : {}),
    ...(sharding !== undefined ? { sharding } : {}),
  });
  // Events wait (30 s at most) while nodes are provisioning (a pass's status is held, or nodes
  // wait for a worker): they would share the API server with the writes that make progress.
  let provisioning = () => false;
  const deferred = { deferWhile: () => provisioning(), maxDeferMs: 30_000 };
  const events = {
    hub: new Events(manager.eventRecorder(EventSources.Hub, deferred)),
    form: new Events(manager.eventRecorder(EventSources.Form, deferred)),
    node: new Events(manager.eventRecorder(EventSources.Node, deferred)),
    applier: new Events(manager.eventRecorder(EventSources.Applier, deferred)),
  };
  // Before the Lease goes: what is queued gets a few seconds, then is given up (events are best
  // effort, and a slow API server must not keep the Lease held at shutdown).
  flushEvents = async () => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, FINAL_WRITES_MS)));
    await Promise.race([Promise.all(Object.values(events).map((e) => e.flush())), deadline]);
    clearTimeout(timer);
  };
  const applier = new Applier(KubeClient.fromRestClient(client), {
    // Orphan markers added or removed: said on the managed object itself (reference §3.5).
    onEvent: (e) =>
      events.applier.record(
        {
          apiVersion: e.object.apiVersion,
          kind: e.object.kind,
          metadata: { name: e.object.name, namespace: e.object.namespace },
        },
        e.type,
        e.reason,
        e.message,
      ),
  });
  const host = await RenderHost.start({
    // --render-processes is the most; one runs while idle (renders are cached, so steady state
    // renders almost nothing), more start under load or while one is stuck in a render.
    processes: config.renderProcesses,
    minProcesses: 1,
    renderTimeoutMs: config.renderTimeoutMs,
    memoryLimitMb: config.renderMemoryLimitMb,
    allowNunjucks: config.enableNunjucksTemplates,
  });

  let nodeEnqueue: (req: Request, options?: AddOptions) => void = () => {};
  let nodeEnqueueAfter: (req: Request, delayMs: number) => void = () => {};
  const ctx: OperatorContext = {
    client,
    manager,
    applier,
    host,
    renders: new RenderCache(host),
    hubRenders: new RenderCache(host, { maxChars: 16 * 1024 * 1024 }),
    events,
    metrics,
    logger,
    hubs: manager.informer(HubType),
    forms: manager.informer(FormType),
    nodes: manager.informer(NodeType),
    namespace: config.namespace,
    targets: config.targets,
    live: new LiveObjects(
      manager,
      applier,
      config.namespace,
      (req, options) => nodeEnqueue(req, options),
      (req, delayMs) => nodeEnqueueAfter(req, delayMs),
    ),
  };

  let hubEnqueue: (req: Request) => void = () => {};
  const registry = new DatasourceRegistry();
  for (const pkg of config.datasourcePlugins) {
    const plugin = await registry.loadPlugin(pkg).catch((err: unknown) => {
      throw new StartupError(`cannot load datasource plugin ${pkg}: ${String(err)}`, {
        cause: err,
      });
    });
    logger.log('info', 'datasource plugin loaded', { package: pkg, type: plugin.type });
  }
  // Admission is served on every replica from now on, before the caches sync or a leader is elected.
  const webhooks = await startWebhooks(config.webhook, {
    templates: (form) => host.validateForm(form),
    targets: config.targets,
    pluginSourceTypes: registry.types(),
    logger,
    registry: promRegistry,
  }).catch(async (err: unknown) => {
    await host.close();
    throw new StartupError(
      `cannot start the webhook server: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  });
  if (webhooks) manager.health?.addReadyCheck('webhook', () => webhooks.listening);
  const sources = new HubDatasources({
    registry,
    limits: config.datasourceLimits,
    secrets: (namespace) => secretResolver(client, namespace),
    onChange: (key) => {
      const [namespace = '', name = ''] = key.split('/');
      hubEnqueue({ namespace, name });
    },
    onCloseError: (err) =>
      logger.log('warn', 'closing a datasource failed', { error: String(err) }),
  });
  // Nodes' progress reaches hubs and forms in batches (see pacing.ts); spec changes at once.
  const hubPacing = new ProgressPacing();
  const formPacing = new ProgressPacing();
  const hubs = new HubController(ctx, sources, registry.types());
  const hubController = manager
    .controller(ControllerNames.Hub)
    .for(HubType, { predicates: [ignoreStatusOnlyChanges()] })
    .owns(NodeType, { predicates: [nodeSpecChanges] })
    // Forms' templates and policies, not their status: the two would otherwise wake each other on
    // every status write while nodes provision.
    .watches(
      FormType,
      (form) => {
        const hubId = (form['spec'] as { hubId?: string } | undefined)?.hubId;
        return hubId && form.metadata.namespace
          ? [{ namespace: form.metadata.namespace, name: hubId }]
          : [];
      },
      { predicates: [ignoreStatusOnlyChanges()] },
    )
    .withWorkers(config.hubConcurrency)
    .complete(retryStale(hubPacing.timed(hubs.reconcile)));
  hubEnqueue = (req) => hubController.enqueue(req);

  const forms = new FormController(ctx);
  const formController = manager
    .controller(ControllerNames.Form)
    .for(FormType, { predicates: [ignoreStatusOnlyChanges()] })
    .watches(NodeType, formOfNode, { predicates: [nodeSpecChanges] })
    // Whether the hub exists; its status changes are not news here.
    .watches(
      HubType,
      (hub) =>
        ctx.forms.store
          .list({ namespace: hub.metadata.namespace })
          .filter((f) => (f['spec'] as { hubId?: string } | undefined)?.hubId === hub.metadata.name)
          .map((f) => ({ namespace: f.metadata.namespace ?? '', name: f.metadata.name ?? '' })),
      { predicates: [ignoreStatusOnlyChanges()] },
    )
    .withWorkers(config.formConcurrency)
    .complete(retryStale(formPacing.timed(forms.reconcile)));
  ctx.hubs.addEventHandler({ onDelete: (hub) => hubPacing.forget(requestFor(hub)) });
  ctx.forms.addEventHandler({ onDelete: (form) => formPacing.forget(requestFor(form)) });
  const progressed = (node: KubeObject) => {
    for (const req of ownerRequests(node, HubType))
      hubController.enqueueAfter(req, hubPacing.delayMs(req));
    for (const req of formOfNode(node)) formController.enqueueAfter(req, formPacing.delayMs(req));
  };
  ctx.nodes.addEventHandler({
    onAdd: progressed,
    onUpdate: (a, b) => {
      if (progressOf(a) !== progressOf(b)) progressed(b);
    },
  });

  const nodes = new NodeController(ctx, {
    progressStatusDelayMs: config.progressStatusDelayMs,
  });
  writeHeldStatuses = async (signal) => {
    const shards = manager.shards;
    const wrote = await nodes.writeHeld(signal, shards && ((key) => shards.ownsKey(key)));
    if (wrote > 0) logger.log('info', 'wrote held LynqNode statuses before stopping', { wrote });
  };
  // With shards, on every replica for the nodes of the shards it holds; else on the leader.
  const nodeController = manager
    .controller(ControllerNames.Node)
    .for(NodeType, { predicates: [ignoreStatusOnlyChanges()] })
    .withWorkers(config.nodeConcurrency)
    .sharded()
    .complete(retryStale(nodes.reconcile));
  nodeEnqueue = (req, options) => nodeController.enqueue(req, options);
  nodeEnqueueAfter = (req, delayMs) => nodeController.enqueueAfter(req, delayMs);
  provisioning = () => nodes.passesHeld > 0 || nodeController.backlog > 0;
  if (manager.shards !== undefined)
    forgetNodesOfReleasedShards(manager.shards, nodeController, ctx, nodes);

  let metricsServer: MetricsServer | undefined;
  if (config.metricsAddress) {
    try {
      metricsServer = new MetricsServer({
        port: config.metricsAddress.port,
        host: config.metricsAddress.host,
        registry: promRegistry,
        logger,
        ...(config.metrics.secure
          ? { secure: await secureMetrics(config.metrics, client, promRegistry, logger) }
          : {}),
      });
      await metricsServer.start();
    } catch (err) {
      await Promise.allSettled([host.close(), webhooks?.stop()]);
      throw new StartupError(
        `cannot start the metrics server: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    logger.log('info', 'Starting metrics server', {
      secure: metricsServer.secure,
      port: metricsServer.port,
      ...(config.metrics.secure ? { certificate: config.metrics.certPath ?? 'self-signed' } : {}),
    });
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // In-flight reconciles get the grace period; closing the rest must not hang the process.
      const grace = setTimeout(() => {
        logger.log('error', 'shutdown did not finish in time; exiting', {
          graceMs: config.gracefulShutdownMs,
        });
        process.exit(1);
      }, config.gracefulShutdownMs + 10_000);
      grace.unref();
      await manager.stop(config.gracefulShutdownMs);
      sharding?.client.close(); // the manager closes only its own client
      await sources.close();
      await webhooks?.stop(); // before the render host its reviews use
      await host.close();
      await metricsServer?.stop();
      clearTimeout(grace);
    })());

  try {
    await manager.start();
  } catch (err) {
    await stop();
    throw new StartupError(`cannot start: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  logger.log('info', 'operator started', {
    namespace: config.namespace ?? '(all)',
    leaderElection: le.enabled,
    ...(manager.shards !== undefined
      ? { shards: manager.shards.shards, replicaId: manager.shards.identity }
      : {}),
    healthPort: manager.health?.port,
    metricsPort: metricsServer?.port,
  });
  return {
    done: manager.done,
    stop,
    metricsPort: metricsServer?.port,
    healthPort: manager.health?.port,
  };
}
