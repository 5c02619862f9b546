import { quoteIdentifier, type ChangeEvent } from '@lynq/datasource';
import type pg from 'pg';

export interface NotifyListenerOptions {
  /** Opens a new, connected client; the listener owns it. */
  connect: () => Promise<pg.Client>;
  channel: string;
  onEvent: (event: ChangeEvent) => void;
  onState: (state: 'listening' | 'reconnecting' | 'stopped') => void;
  /**
   * Why the connection failed (could not connect, LISTEN refused, connection lost), before each
   * retry is scheduled: what the health reports while `reconnecting`.
   */
  onError?: (err: unknown) => void;
  /** First retry delay; doubles up to `maxBackoffMs`, with jitter. Default 100 ms. */
  initialBackoffMs?: number;
  /** Default 30 s. */
  maxBackoffMs?: number;
  /**
   * How long a connection must have listened before its loss starts the backoff again from
   * `initialBackoffMs`. A connection that is dropped right after LISTEN (a pooler, a session
   * timeout) keeps backing off instead of reconnecting ten times a second. Default 10 s.
   */
  stableAfterMs?: number;
}

/**
 * LISTENs on one channel over a dedicated connection (a pooled one would lose its LISTEN when
 * handed back). When the connection drops it reconnects with exponential backoff, and after
 * every successful LISTEN it emits `resync`, because notifications sent while nobody listened
 * are lost.
 */
export class NotifyListener {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  /** When the current connection started listening (performance.now()). */
  private listeningSince: number | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  /** Connections already given up on; their late `error`/`end` events are ignored. */
  private readonly dead = new WeakSet<pg.Client>();

  constructor(private readonly options: NotifyListenerOptions) {}

  start(): void {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const client = this.client;
    this.client = undefined;
    // The connection is being thrown away; an error while closing it changes nothing.
    await client?.end().catch(() => undefined);
    this.options.onState('stopped');
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    let client: pg.Client | undefined;
    try {
      client = await this.options.connect();
      const own = client;
      own.on('error', (err) => this.lost(own, err));
      own.on('end', () => this.lost(own, new Error('Connection terminated unexpectedly')));
      own.on('notification', (message) => {
        if (message.channel !== this.options.channel) return;
        this.options.onEvent(
          message.payload ? { kind: 'change', operation: message.payload } : { kind: 'change' },
        );
      });
      if (this.stopped) {
        await own.end();
        return;
      }
      this.client = own;
      await own.query(`LISTEN ${quoteIdentifier('postgresql', this.options.channel, 'channel')}`);
      this.listeningSince = performance.now();
      this.options.onState('listening');
      this.options.onEvent({ kind: 'resync' });
    } catch (err) {
      // Connection refused, terminated while connecting, LISTEN failed: all mean "try again".
      if (client !== undefined) this.lost(client, err);
      else this.failed(err);
    }
  }

  private lost(client: pg.Client, err: unknown): void {
    if (this.dead.has(client)) return;
    this.dead.add(client);
    if (this.client === client) this.client = undefined;
    void client.end().catch(() => undefined); // already broken; nothing to report
    const since = this.listeningSince;
    this.listeningSince = undefined;
    if (
      since !== undefined &&
      performance.now() - since >= (this.options.stableAfterMs ?? 10_000)
    ) {
      this.attempt = 0; // it worked for a while: this is a new outage
    }
    this.failed(err);
  }

  private failed(err: unknown): void {
    if (this.stopped) return;
    this.options.onError?.(err);
    this.retry();
  }

  private retry(): void {
    if (this.stopped || this.timer !== undefined) return;
    const initial = this.options.initialBackoffMs ?? 100;
    const max = this.options.maxBackoffMs ?? 30_000;
    const delay = Math.min(max, initial * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.options.onState('reconnecting');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.run();
    }, delay);
    this.timer.unref();
  }
}
