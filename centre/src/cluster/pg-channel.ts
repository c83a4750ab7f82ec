/**
 * Messages between centre workers over PostgreSQL LISTEN/NOTIFY: the database every worker already
 * depends on, so the cluster needs no other moving part. One connection listens, one sends (a single
 * sender keeps a worker's messages in order; NOTIFY is delivered in commit order to every listener,
 * the sender's own included). Payloads above NOTIFY's 8,000-byte limit travel through a table and
 * the notification carries their row number.
 *
 * Delivery is at-most-once: a listener that loses its connection misses what was sent meanwhile. It
 * reconnects with backoff and reports `resync`, so its owner re-reads what it must not miss (the
 * cluster rebuilds its buckets' timers from the database; consoles reload).
 */
import pg from 'pg';
import type { Logger } from '../../../common/log';

export interface PgChannelOptions {
  url: string;
  schema?: string;
  log: Logger;
  /** Name of this process in pg_stat_activity. */
  name: string;
}

const MAX_NOTIFY_BYTES = 7_900;

export class PgChannel {
  private listener: pg.Client | undefined;
  private sender: pg.Client | undefined;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private readonly resyncs = new Set<() => void>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private backoffMs = 200;
  private sending: Promise<unknown> = Promise.resolve();
  /** Messages sent by this worker that failed (sender connection lost), retried once it is back. */
  private readonly unsent: { channel: string; payload: string }[] = [];
  readonly counters = { sent: 0, received: 0, overflow: 0, reconnects: 0, sendFailed: 0 };

  constructor(private readonly opts: PgChannelOptions) {}

  /** Channels are per database, not per schema: the schema prefixes them so test schemas stay apart. */
  private channelName(channel: string): string {
    return `${this.opts.schema ?? 'public'}_vigil_${channel}`;
  }

  on(channel: string, fn: (payload: string) => void): () => void {
    const set = this.handlers.get(channel) ?? new Set();
    set.add(fn);
    this.handlers.set(channel, set);
    if (this.listener) void this.listener.query(`LISTEN "${this.channelName(channel)}"`).catch(() => undefined);
    return () => set.delete(fn);
  }

  /** After a reconnect of the listening connection: something may have been missed. */
  onResync(fn: () => void): void {
    this.resyncs.add(fn);
  }

  async start(): Promise<void> {
    await this.connectListener();
    await this.connectSender();
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.sending.catch(() => undefined);
    await Promise.all([this.listener?.end().catch(() => undefined), this.sender?.end().catch(() => undefined)]);
  }

  /** Sends in order; resolves when PostgreSQL took it (or it was queued for after a reconnect). */
  send(channel: string, payload: string): Promise<void> {
    const next = this.sending.then(() => this.deliver(channel, payload));
    this.sending = next.catch(() => undefined);
    return next;
  }

  private async deliver(channel: string, payload: string): Promise<void> {
    const sender = this.sender;
    if (!sender) {
      this.unsent.push({ channel, payload });
      return;
    }
    try {
      if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) {
        this.counters.overflow++;
        const r = await sender.query<{ seq: number }>('INSERT INTO live_overflow (at, payload) VALUES (vigil_now_ms(), $1) RETURNING seq', [payload]);
        payload = `@${r.rows[0]!.seq}`;
      }
      await sender.query('SELECT pg_notify($1, $2)', [this.channelName(channel), payload]);
      this.counters.sent++;
    } catch (e) {
      this.counters.sendFailed++;
      this.opts.log.warn('cluster message not sent; retried after reconnecting', { channel, error: e as Error });
      this.unsent.push({ channel, payload });
      this.dropSender(sender);
    }
  }

  private async connectListener(): Promise<void> {
    const c = this.client('listen');
    c.on('notification', (n) => void this.dispatch(n.channel, n.payload ?? ''));
    c.on('error', (e) => this.lost(c, e));
    c.on('end', () => this.lost(c));
    await c.connect();
    for (const ch of this.handlers.keys()) await c.query(`LISTEN "${this.channelName(ch)}"`);
    this.listener = c;
  }

  private async connectSender(): Promise<void> {
    const c = this.client('notify');
    c.on('error', () => this.dropSender(c));
    c.on('end', () => this.dropSender(c));
    await c.connect();
    this.sender = c;
    const queued = this.unsent.splice(0);
    for (const m of queued) void this.send(m.channel, m.payload);
  }

  private client(role: string): pg.Client {
    return new pg.Client({
      connectionString: this.opts.url, application_name: `${this.opts.name}-${role}`,
      ...(this.opts.schema ? { options: `-c search_path=${this.opts.schema}` } : {}),
    });
  }

  private dropSender(c: pg.Client): void {
    if (this.sender !== c) return;
    this.sender = undefined;
    void c.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private lost(c: pg.Client, e?: Error): void {
    if (this.listener !== c) return;
    this.listener = undefined;
    if (!this.closed) this.opts.log.warn('cluster channel lost its listening connection; reconnecting', { error: e ?? null });
    void c.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnect();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 5_000);
  }

  private async reconnect(): Promise<void> {
    try {
      if (!this.sender) await this.connectSender();
      if (!this.listener) {
        await this.connectListener();
        this.counters.reconnects++;
        for (const fn of this.resyncs) fn();
      }
      this.backoffMs = 200;
    } catch {
      this.scheduleReconnect();
    }
  }

  private async dispatch(channelName: string, payload: string): Promise<void> {
    const channel = [...this.handlers.keys()].find((c) => this.channelName(c) === channelName);
    if (channel === undefined) return;
    if (payload.startsWith('@')) {
      const seq = Number(payload.slice(1));
      try {
        const r = await this.sender?.query<{ payload: string }>('SELECT payload FROM live_overflow WHERE seq = $1', [seq]);
        payload = r?.rows[0]?.payload ?? '';
      } catch {
        payload = '';
      }
      if (!payload) return;
    }
    this.counters.received++;
    for (const fn of this.handlers.get(channel) ?? []) {
      try {
        fn(payload);
      } catch (e) {
        this.opts.log.error('cluster message handler failed', { channel, error: e as Error });
      }
    }
  }
}
