// Messages between the host and its render processes (Node IPC, V8 serialization). Forms travel
// as JSON text, once per process and fingerprint; rows travel as plain data, many per message.
import type { FormCheckResult } from '@lynq/api';
import type { RenderLimits } from '../budget.js';
import type { TemplateSyntax } from '../engine.js';
import type { SkeletonResource, WireResource } from './wire-result.js';

/** How a render process is configured; sent as its only command-line argument (JSON). */
export interface ChildConfig {
  allowNunjucks: boolean;
  limits: Partial<RenderLimits>;
  /** Enables the test-only message and node hooks (see child.ts). */
  testHooks: boolean;
}

export interface WireNode {
  variables: Readonly<Record<string, unknown>>;
  namespace: string;
}

/** The form of a batch: its fingerprint, and its JSON text when the process may not have it. */
export interface WireForm {
  key: string;
  syntax: TemplateSyntax | undefined;
  /** JSON of `{ spec }`; the fingerprint is a hash of it. */
  json?: string;
}

export type ToChild =
  | {
      t: 'render';
      id: number;
      form: WireForm;
      nodes: WireNode[];
      clock: number | undefined;
      /** The host does not know the form's skeleton yet: send it with the first result. */
      skeleton: boolean;
    }
  | { t: 'validate'; id: number; json: string }
  | { t: 'diagnose'; id: number }
  /** The host no longer needs the process: it closes its channel and exits, after its work. */
  | { t: 'stop' };

/** One node's render as the child reports it. */
export type WireOutcome = { ok: true; resources: WireResource[] } | { ok: false; message: string };

/** What a render process has used, as it reports after each batch. */
export interface ChildUsage {
  /** CPU time (user and system) since the process started. */
  cpuMs: number;
  heapUsedBytes: number;
  /** Highest heapUsedBytes the process has reported. */
  peakHeapUsedBytes: number;
  rssBytes: number;
  /** Peak resident set size of the process so far. */
  maxRssBytes: number;
}

export type FromChild =
  | { t: 'ready'; pid: number; usage: ChildUsage }
  /** The child has started a work item (and compiled its form): its time starts now. */
  | { t: 'started'; id: number }
  /** Outcomes of the batch's nodes `from`, `from + 1`, …, in order. */
  | {
      t: 'results';
      id: number;
      from: number;
      /**
       * JSON of the WireOutcome[]: results are JSON data, and JSON.parse builds them about twice
       * as fast as V8's deserializer (a large share of the host's cost).
       */
      outcomes: string;
      skeleton?: SkeletonResource[];
      usage?: ChildUsage;
    }
  /** The batch named a form the process no longer has; the host sends it again with its text. */
  | { t: 'form-missing'; id: number }
  | { t: 'validated'; id: number; check: FormCheckResult }
  /** The work item failed as a whole inside the child (a bug, not a template problem). */
  | { t: 'failed'; id: number; message: string }
  | { t: 'diagnosis'; id: number; diagnosis: Diagnosis };

/** What a render process can do, as it reports itself (test hooks only). */
export interface Diagnosis {
  envKeys: string[];
  execArgv: string[];
  /** Each probe: `allowed`, or the error code that stopped it. */
  probes: Record<string, string>;
}
