// The per-file fixture: one namespace, one MariaDB table (and optionally one PostgreSQL schema),
// the CRDs, a Kubernetes client and an operator process scoped to the namespace. Everything is
// created in beforeAll and removed in afterAll, so test files run in parallel without sharing.
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import type { LynqForm, LynqHub, LynqNode } from '@lynq/api';
import {
  createMysqlTable,
  createPgSchema,
  installCrds,
  kubeconfigPath,
  useTestNamespace,
  type MysqlTable,
  type PgSchema,
} from '@lynq/testkit';
import type { KubeObject, ResourceType } from '@lynq/runtime';
import { Kube, Res, conditionOf, type KubeEvent, type ObjectLike } from './kube.js';
import { startOperator, type OperatorOptions, type OperatorProcess } from './operator.js';
import { mysqlDb, pgDb, type Db } from './sql.js';
import {
  holdsFor,
  waitFor,
  type HoldsForOptions,
  type Note,
  type Probe,
  type WaitForOptions,
} from './wait-for.js';

/** The columns of the default scenario table: Lynq's e2e shape (uid, activate, two extras). */
export const DEFAULT_COLUMNS =
  'id VARCHAR(255) NOT NULL PRIMARY KEY, active VARCHAR(16) NULL, plan VARCHAR(64) NULL, region VARCHAR(64) NULL';

export interface ScenarioOptions {
  /** Prefix of the namespace, table and schema names (short, lower case). */
  name: string;
  /** Column list or full `CREATE TABLE {{table}} …` of the MariaDB table; default DEFAULT_COLUMNS. */
  mysqlColumns?: string;
  /** Also create a PostgreSQL schema (the scenario creates its tables in it). */
  postgres?: boolean;
  /**
   * The operator started in beforeAll (namespace, kubeconfig and ports are filled in);
   * false: none, the file starts its own with `scenario.startOperator`.
   */
  operator?: Partial<OperatorOptions> | false;
}

export interface Scenario {
  /** The namespace of this file (the operator watches only it). */
  readonly namespace: string;
  readonly kubeconfig: string;
  readonly kube: Kube;
  /** The MariaDB table's name and a pool on its database. */
  readonly table: string;
  readonly db: Db;
  /** The PostgreSQL schema and a pool (only with `postgres: true`). */
  readonly pgSchema: string;
  readonly pg: Db;
  /** The operator started in beforeAll. */
  readonly operator: OperatorProcess;
  /** Every operator this file started (for logs). */
  readonly operators: readonly OperatorProcess[];
  /** Starts another operator for this namespace; stopped in afterAll. */
  startOperator(options?: Partial<OperatorOptions>): Promise<OperatorProcess>;
  /** waitFor that gives up at once when an operator of this file exits unexpectedly. */
  waitFor<T>(probe: Probe<T>, options: WaitForOptions): Promise<T>;
  holdsFor(
    check: (note: Note) => Promise<boolean> | boolean,
    options: HoldsForOptions,
  ): Promise<void>;
  /** Creates a Lynq or built-in object (POST) in the cluster. */
  create<T extends ObjectLike>(obj: T, type?: ResourceType): Promise<T>;
  /** Waits until the LynqNode exists with Ready=True and returns it. */
  nodeReady(name: string, timeoutMs?: number): Promise<LynqNode>;
  /** Waits until `type`/`name` exists (in this namespace unless `namespace` says otherwise). */
  object<T = KubeObject>(
    type: ResourceType,
    name: string,
    options?: { namespace?: string; timeoutMs?: number },
  ): Promise<T>;
  /** Waits until `type`/`name` is gone. */
  gone(
    type: ResourceType,
    name: string,
    options?: { namespace?: string; timeoutMs?: number },
  ): Promise<void>;
  /**
   * Waits until an event with `reason` about the object exists (and, with `messageIncludes`, one
   * whose message contains that text) and returns the matching events.
   */
  event(
    about: { kind: string; name: string; uid?: string },
    reason: string,
    options?: { timeoutMs?: number; messageIncludes?: string },
  ): Promise<KubeEvent[]>;
  /** Runs `fn` in afterAll (last registered, first run): after the operators stopped, before the namespace goes. */
  onCleanup(fn: () => Promise<void> | void): void;
  hub(name: string): Promise<LynqHub | undefined>;
  form(name: string): Promise<LynqForm | undefined>;
  node(name: string): Promise<LynqNode | undefined>;
}

function unset(what: string): never {
  throw new Error(
    `scenario.${what} is not available (beforeAll has not run, or the scenario has none)`,
  );
}

/**
 * Call once at the top level of a test file. Every field of the returned object is usable from
 * inside tests and hooks that run after the fixture's beforeAll.
 */
export function useScenario(options: ScenarioOptions): Scenario {
  const ns = useTestNamespace({ prefix: `e2e-${options.name}` });
  let kube: Kube | undefined;
  let table: MysqlTable | undefined;
  let db: Db | undefined;
  let schema: PgSchema | undefined;
  let pg: Db | undefined;
  let primary: OperatorProcess | undefined;
  const operators: OperatorProcess[] = [];
  /** Operators expected to be running; one that exits while listed here fails the waits. */
  const expectedRunning = new Set<OperatorProcess>();
  const cleanups: (() => Promise<void> | void)[] = [];

  const failFast = () => {
    for (const op of expectedRunning) {
      const s = op.exitStatus();
      if (s !== undefined)
        return `${op.name} (pid ${op.pid}) exited unexpectedly with ${s.signal ?? `code ${s.code}`}`;
    }
    return undefined;
  };

  const launch = async (extra: Partial<OperatorOptions> = {}): Promise<OperatorProcess> => {
    const op = await startOperator({
      kubeconfig: kubeconfigPath(),
      namespace: ns.name,
      name: `operator-${operators.length + 1}`,
      ...extra,
    });
    operators.push(op);
    expectedRunning.add(op);
    const { stop, kill } = op;
    // A deliberate stop or kill is not a crash.
    const tracked: OperatorProcess = {
      ...op,
      stop: (signal, timeoutMs) => {
        expectedRunning.delete(op);
        return stop(signal, timeoutMs);
      },
      kill: () => {
        expectedRunning.delete(op);
        return kill();
      },
    };
    operators[operators.length - 1] = tracked;
    return tracked;
  };

  beforeAll(async () => {
    if (inject('lynqProfile') !== 'full')
      throw new Error(
        'the e2e suite needs the full control plane (controllers, scheduler, kwok): run it with LYNQ_TEST_PROFILE=full',
      );
    kube = await Kube.connect(kubeconfigPath());
    await installCrds(ns.kubeConfig);
    table = await createMysqlTable(options.mysqlColumns ?? DEFAULT_COLUMNS, {
      prefix: `e2e_${options.name.replaceAll('-', '_')}`,
    });
    db = mysqlDb(table.url);
    if (options.postgres === true) {
      schema = await createPgSchema({ prefix: `e2e_${options.name.replaceAll('-', '_')}` });
      pg = pgDb(schema.url);
    }
    // LYNQ_E2E_NO_OPERATOR=1 is for working on the harness before the operator builds: the
    // scenario objects are still created for real (so the API server checks them), and every
    // scenario then fails at its first wait.
    if (options.operator !== false && process.env['LYNQ_E2E_NO_OPERATOR'] !== '1')
      primary = await launch(options.operator ?? {});
  }, 180_000);

  let failed = false;
  let ran = 0;
  beforeEach((ctx) => {
    ran++;
    ctx.onTestFailed(() => {
      failed = true;
      for (const op of operators) {
        const s = op.exitStatus();
        console.error(
          `\n--- ${op.name} (pid ${op.pid}${s !== undefined ? `, exited ${s.signal ?? `code ${s.code}`}` : ''}) log tail, full log: ${op.logFile} ---\n${op.logTail(120)}\n--- end of ${op.name} log ---`,
        );
      }
    });
  });

  afterAll(async () => {
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<void> | void) => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    for (const op of operators) {
      await attempt(async () => {
        const wasRunning = op.exitStatus() === undefined;
        const s = await op.stop('SIGTERM', 20_000);
        if (wasRunning && s.code !== 0)
          console.warn(
            `${op.name} exited with ${s.signal ?? `code ${s.code}`} on SIGTERM; log: ${op.logFile}`,
          );
      });
    }
    // After the operators: a cleanup may remove what they watch (a test CRD).
    for (const fn of cleanups.reverse()) await attempt(fn);
    // With no operator left to remove them, finalizers would keep the namespace terminating.
    if (kube !== undefined) {
      const k = kube;
      for (const type of [Res.Node, Res.Hub])
        await attempt(async () => {
          for (const obj of await k.list(type, ns.name))
            if ((obj.metadata.finalizers?.length ?? 0) > 0)
              await k.clearFinalizers(type, obj.metadata.name ?? '', ns.name);
        });
    }
    await attempt(async () => db?.close());
    await attempt(async () => table?.drop());
    await attempt(async () => pg?.close());
    await attempt(async () => schema?.drop());
    kube?.close();
    // Logs of a file whose tests all passed are of no use; a failure keeps them, and so does a
    // failed beforeAll of the file (then no test ran).
    if (ran > 0 && !failed && errors.length === 0) for (const op of operators) op.removeLogs();
    if (errors.length > 0)
      throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'e2e cleanup failed');
  }, 120_000);

  const scenarioWait = <T>(probe: Probe<T>, opts: WaitForOptions) =>
    waitFor(probe, {
      ...opts,
      failFast: () => opts.failFast?.() ?? failFast(),
    });

  const scenario: Scenario = {
    get namespace() {
      return ns.name;
    },
    get kubeconfig() {
      return kubeconfigPath();
    },
    get kube() {
      return kube ?? unset('kube');
    },
    get table() {
      return table?.table ?? unset('table');
    },
    get db() {
      return db ?? unset('db');
    },
    get pgSchema() {
      return schema?.schema ?? unset('pgSchema');
    },
    get pg() {
      return pg ?? unset('pg');
    },
    get operator() {
      return primary === undefined ? unset('operator') : (operators[0] ?? primary);
    },
    get operators() {
      return operators;
    },
    startOperator: launch,
    waitFor: scenarioWait,
    holdsFor: (check, opts) =>
      holdsFor(check, { ...opts, failFast: () => opts.failFast?.() ?? failFast() }),
    create: (obj, type) => (kube ?? unset('kube')).create(obj, type !== undefined ? { type } : {}),
    nodeReady: (name, timeoutMs = 60_000) =>
      scenarioWait(
        async (note) => {
          const node = await scenario.kube.node(name, ns.name);
          const ready = conditionOf(node, 'Ready');
          if (ready?.status === 'True') return node;
          // What a timeout should show: the status and what the operator said about the node.
          const events =
            node === undefined
              ? []
              : await scenario.kube.events(ns.name, { kind: 'LynqNode', name });
          note(
            node === undefined
              ? 'no such LynqNode'
              : {
                  status: node.status,
                  events: events.map((e) => `${e.type} ${e.reason} ×${e.count ?? 1}: ${e.message}`),
                },
          );
          return undefined;
        },
        { what: `LynqNode ${ns.name}/${name} Ready=True`, timeoutMs },
      ),
    object: <T = KubeObject>(
      type: ResourceType,
      name: string,
      o: { namespace?: string; timeoutMs?: number } = {},
    ) =>
      scenarioWait(
        async (note) => {
          const obj = await scenario.kube.get<T>(type, name, o.namespace ?? ns.name);
          note(obj === undefined ? 'not found' : 'found');
          return obj;
        },
        {
          what: `${type.kind} ${o.namespace ?? ns.name}/${name} to exist`,
          timeoutMs: o.timeoutMs ?? 60_000,
        },
      ),
    gone: async (type, name, o = {}) => {
      await scenarioWait(
        async (note) => {
          const obj = await scenario.kube.get(type, name, o.namespace ?? ns.name);
          note(
            obj === undefined
              ? 'gone'
              : {
                  deletionTimestamp: obj.metadata.deletionTimestamp,
                  finalizers: obj.metadata.finalizers,
                },
          );
          return obj === undefined;
        },
        {
          what: `${type.kind} ${o.namespace ?? ns.name}/${name} to be gone`,
          timeoutMs: o.timeoutMs ?? 60_000,
        },
      );
    },
    event: (about, reason, o = {}) =>
      scenarioWait(
        async (note) => {
          const events = await scenario.kube.events(ns.name, about);
          note(events.map((e) => `${e.type} ${e.reason}: ${e.message}`));
          const matching = events.filter(
            (e) =>
              e.reason === reason &&
              (o.messageIncludes === undefined || (e.message ?? '').includes(o.messageIncludes)),
          );
          return matching.length > 0 ? matching : undefined;
        },
        {
          what: `event ${reason}${o.messageIncludes !== undefined ? ` mentioning ${JSON.stringify(o.messageIncludes)}` : ''} on ${about.kind} ${ns.name}/${about.name}`,
          timeoutMs: o.timeoutMs ?? 60_000,
        },
      ),
    onCleanup: (fn) => {
      cleanups.push(fn);
    },
    hub: (name) => scenario.kube.hub(name, ns.name),
    form: (name) => scenario.kube.form(name, ns.name),
    node: (name) => scenario.kube.node(name, ns.name),
  };
  return scenario;
}
