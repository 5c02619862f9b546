import { InactivityTimer } from '@lynq/datasource';
import type { Connection } from 'mysql2';
import { readsServerText, type ColumnMeta } from './column-converters.js';

/** What a streamed SELECT does with its result, as it arrives. */
export interface SelectHandlers {
  /** The result's columns, once, before the first row. A throw ends the fetch with it. */
  onFields(fields: readonly ColumnMeta[]): void;
  /** One row, values in select order. A throw (a result-size limit) ends the fetch with it. */
  onRow(values: unknown[]): void;
  /** The error of a fetch that made no progress for the query timeout. */
  timeoutError(): Error;
}

/** One SELECT running on a connection. */
export interface StreamedSelect {
  /** Resolves after the last row was handled; rejects with the reason the fetch ended early. */
  readonly done: Promise<void>;
  /** Resolves once the server is finished with the statement (its end or error); never rejects. */
  readonly finished: Promise<void>;
  /** Whether the server may still be executing the statement. */
  readonly running: boolean;
  /** Ends the fetch now with `reason`; rows that still arrive are dropped, not kept. */
  stop(reason: unknown): void;
}

/**
 * Runs `sql` on `connection` and hands each row to `handlers` as it arrives, so nothing but the
 * collected values stays in memory. `queryTimeoutMs` is the time allowed without progress (no
 * column definitions and then no row): a result that keeps streaming is never cut off. Stopping
 * a fetch does not stop the statement on the server; the caller kills it (`running`, `finished`).
 */
export function streamSelect(
  connection: Connection,
  sql: string,
  queryTimeoutMs: number,
  handlers: SelectHandlers,
): StreamedSelect {
  return new Select(connection, sql, queryTimeoutMs, handlers);
}

class Select implements StreamedSelect {
  readonly done: Promise<void>;
  readonly finished: Promise<void>;
  running = true;
  private stopped = false;
  private resolveDone!: () => void;
  private rejectDone!: (reason: unknown) => void;
  private resolveFinished!: () => void;
  private readonly timer: InactivityTimer;

  constructor(
    connection: Connection,
    sql: string,
    queryTimeoutMs: number,
    handlers: SelectHandlers,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));
    this.timer = new InactivityTimer(queryTimeoutMs, () => this.stop(handlers.timeoutError()));
    // Names of the columns read as the server's text; filled from the column definitions, which
    // arrive before the first row is parsed. The select list names every column once.
    const serverText = new Set<string>();
    const query = connection.query({
      sql,
      rowsAsArray: true,
      typeCast: (field, next) => (serverText.has(field.name) ? field.string('latin1') : next()),
    });
    query.on('fields', (fields: unknown) => {
      this.timer.touch();
      // mysql2 passes its column definitions (numeric flags, character set), typed loosely.
      const columns = fields as ColumnMeta[];
      for (const column of columns) {
        if (readsServerText(column) && column.name !== undefined) serverText.add(column.name);
      }
      this.handle(() => handlers.onFields(columns));
    });
    query.on('result', (row: unknown) => {
      if (this.stopped) return;
      this.timer.touch();
      this.handle(() => handlers.onRow(row as unknown[]));
    });
    query.on('error', (err: Error) => {
      this.serverFinished();
      this.stop(err);
    });
    // A query without a callback does not hear that its connection broke (server restart, KILL,
    // network): mysql2 reports that on the connection only.
    const lost = (err: Error) => {
      this.serverFinished();
      this.stop(err);
    };
    connection.once('error', lost);
    void this.finished.then(() => connection.removeListener('error', lost));
    query.on('end', () => {
      this.serverFinished();
      if (this.stopped) return;
      this.stopped = true;
      this.resolveDone();
    });
  }

  stop(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer.stop();
    this.rejectDone(reason);
  }

  private handle(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.stop(err);
    }
  }

  private serverFinished(): void {
    this.running = false;
    this.timer.stop();
    this.resolveFinished();
  }
}
