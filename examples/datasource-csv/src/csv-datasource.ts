import { watch as watchPath, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute } from 'node:path';
import {
  constructDatasource,
  DatasourceError,
  HealthTracker,
  hubKey,
  isDatasourceError,
  normaliseRecords,
  planColumns,
  throwIfAborted,
  type ChangeListener,
  type ColumnPlan,
  type Datasource,
  type DatasourceContext,
  type DatasourceDescription,
  type FetchResult,
  type Unsubscribe,
} from '@lynq/sdk/plugin';
import { CsvSyntaxError, parseCsv } from './parse-csv.js';

/** `spec.source.config` of a hub with `spec.source.type: csv`. */
export interface CsvConfig {
  /** Absolute path of the CSV file, e.g. mounted from a ConfigMap. */
  path: string;
  /** One character. Default `,`. */
  delimiter?: string;
}

/** Reads and checks `spec.source.config`; every problem names its field. */
export function parseCsvConfig(config: unknown, hub?: string): CsvConfig {
  const problems: [field: string, message: string][] = [];
  const c = (typeof config === 'object' && config !== null ? config : {}) as Record<
    string,
    unknown
  >;
  if (typeof c['path'] !== 'string' || !isAbsolute(c['path'])) {
    problems.push(['spec.source.config.path', 'must be an absolute file path']);
  }
  if (
    c['delimiter'] !== undefined &&
    (typeof c['delimiter'] !== 'string' ||
      [...c['delimiter']].length !== 1 ||
      c['delimiter'] === '"')
  ) {
    problems.push(['spec.source.config.delimiter', 'must be one character other than "']);
  }
  for (const key of Object.keys(c)) {
    if (key !== 'path' && key !== 'delimiter')
      problems.push([`spec.source.config.${key}`, 'is not a known setting']);
  }
  if (problems.length > 0) {
    throw new DatasourceError({
      code: 'INVALID_CONFIG',
      message: problems.map(([f, m]) => `${f} ${m}`).join('; '),
      fields: problems.map(([f]) => f),
      hub,
      type: 'csv',
    });
  }
  return { path: c['path'] as string, delimiter: (c['delimiter'] as string | undefined) ?? ',' };
}

/** Creates a datasource that reads every row of a CSV file on each fetch. */
export function createCsvDatasource(context: DatasourceContext): Promise<Datasource> {
  return constructDatasource(() => new CsvDatasource(context));
}

class CsvDatasource implements Datasource {
  private readonly hub: string;
  private readonly config: CsvConfig;
  private readonly plan: ColumnPlan;
  private readonly limits: DatasourceContext['limits'];
  private readonly health = new HealthTracker();
  private readonly watchers = new Set<ChangeListener>();
  private fileWatcher: FSWatcher | undefined;
  private closed = false;

  constructor(context: DatasourceContext) {
    this.hub = hubKey(context);
    this.config = parseCsvConfig(context.source.config, this.hub);
    this.plan = planColumns(context.valueMappings, context.extraValueMappings);
    this.limits = context.limits;
  }

  async fetchRows(signal: AbortSignal): Promise<FetchResult> {
    const where = { hub: this.hub, type: 'csv' };
    if (this.closed)
      throw new DatasourceError({
        code: 'CLOSED',
        message: 'the CSV datasource is closed',
        ...where,
      });
    throwIfAborted(signal, where);
    try {
      const text = await readFile(this.config.path, { encoding: 'utf8', signal });
      throwIfAborted(signal, where);
      const records = parseCsv(text, this.config.delimiter);
      // The operator's maxRows and maxResultBytes apply to a plugin's rows too.
      const result = normaliseRecords(records, this.plan, {
        table: this.config.path,
        limits: this.limits,
        ...where,
      });
      this.health.succeeded();
      return result;
    } catch (err) {
      const error = this.toDatasourceError(err, signal);
      if (error.code !== 'ABORTED') this.health.failed(error);
      throw error;
    }
  }

  private toDatasourceError(err: unknown, signal: AbortSignal): DatasourceError {
    const where = { hub: this.hub, type: 'csv', cause: err };
    if (isDatasourceError(err)) return err;
    if (signal.aborted)
      return new DatasourceError({
        code: 'ABORTED',
        message: 'fetch aborted by the caller',
        ...where,
      });
    if (err instanceof CsvSyntaxError) {
      return new DatasourceError({
        code: 'QUERY_FAILED',
        message: `${this.config.path}: ${err.message}`,
        ...where,
      });
    }
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') {
      return new DatasourceError({
        code: 'UNKNOWN_TABLE',
        message: `${this.config.path} does not exist (spec.source.config.path)`,
        fields: ['spec.source.config.path'],
        ...where,
      });
    }
    return new DatasourceError({
      code: 'QUERY_FAILED',
      message: `reading ${this.config.path} failed: ${err instanceof Error ? err.message : String(err)}`,
      driverCode: code,
      ...where,
    });
  }

  /**
   * Calls `onChange` when the file is written, replaced or removed. The directory is watched,
   * not the file, so an atomic replace (write elsewhere, rename over) and a Kubernetes ConfigMap
   * update (a symlink swap) are seen too.
   */
  watch(onChange: ChangeListener): Unsubscribe {
    if (this.closed) return () => undefined;
    this.watchers.add(onChange);
    if (this.fileWatcher === undefined) {
      const name = basename(this.config.path);
      const watcher = watchPath(dirname(this.config.path), (_event, file) => {
        if (file === null || file === name || file === '..data') this.emit({ kind: 'change' });
      });
      // If the directory goes away, tell watchers to resync; the periodic sync reports the error.
      watcher.on('error', () => {
        this.stopWatching();
        this.emit({ kind: 'resync' });
      });
      watcher.unref();
      this.fileWatcher = watcher;
      this.health.setWatch('listening');
    }
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.watchers.delete(onChange);
      if (this.watchers.size === 0) this.stopWatching();
    };
  }

  private emit(event: Parameters<ChangeListener>[0]) {
    for (const w of [...this.watchers]) w(event);
  }

  private stopWatching() {
    this.fileWatcher?.close();
    this.fileWatcher = undefined;
    this.health.setWatch('stopped');
  }

  describe(): DatasourceDescription {
    return {
      type: 'csv',
      target: `file://${this.config.path}`,
      watchable: true,
      health: this.health.snapshot(),
    };
  }

  close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
    if (this.fileWatcher !== undefined) this.stopWatching();
    return Promise.resolve();
  }
}
