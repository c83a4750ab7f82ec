/**
 * Telemetry into InfluxDB 1.x (the `influx` client; Debian's influxdb 1.6). Points are buffered and
 * written in batches every `flushMs` (or at 5,000 points), off the ingest path: a slow or dead InfluxDB
 * costs dropped telemetry (counted, logged once per outage), never a delayed alarm. The database and
 * its retention policy (the config's telemetryDays) are created on start; InfluxDB does the purging.
 */
import { InfluxDB, type IPoint } from 'influx';
import type { Clock } from '../../../common/clock';
import { every } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import { Counters } from '../../../common/counters';
import type { TelemetryPoint, TelemetrySink } from './types';

const MAX_BUFFER = 50_000;

export interface InfluxSinkOptions {
  url: string;
  database: string;
  username?: string;
  password?: string;
  flushMs: number;
  retentionDays: number;
}

export class InfluxTelemetrySink implements TelemetrySink {
  readonly counters = new Counters();
  private readonly influx: InfluxDB;
  private buffer: TelemetryPoint[] = [];
  private stopFlush: (() => void) | undefined;
  private flushing: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly opts: InfluxSinkOptions, private readonly ctx: { clock: Clock; log: Logger }) {
    const u = new URL(opts.url);
    this.influx = new InfluxDB({
      host: u.hostname, port: Number(u.port || 8086), protocol: u.protocol === 'https:' ? 'https' : 'http', database: opts.database,
      ...(opts.username ? { username: opts.username } : {}), ...(opts.password ? { password: opts.password } : {}),
    });
  }

  /** Creates the database and retention policy if needed; a failure here is logged, not fatal (telemetry is optional). */
  async start(): Promise<void> {
    try {
      await this.influx.createDatabase(this.opts.database);
      const rp = `vigil_${this.opts.retentionDays}d`;
      const existing = await this.influx.showRetentionPolicies(this.opts.database);
      if (!existing.some((p) => p.name === rp)) await this.influx.createRetentionPolicy(rp, { database: this.opts.database, duration: `${this.opts.retentionDays}d`, replication: 1, isDefault: true });
    } catch (e) {
      this.ctx.log.warn('InfluxDB not ready; telemetry will be retried at each flush', { url: this.opts.url, error: e as Error });
    }
    this.stopFlush = every(this.ctx.clock, this.opts.flushMs, () => void this.flush());
  }

  async write(points: TelemetryPoint[]): Promise<void> {
    if (this.buffer.length + points.length > MAX_BUFFER) {
      this.counters.inc('dropped_buffer_full', points.length);
      return;
    }
    this.buffer.push(...points);
    if (this.buffer.length >= 5000) void this.flush();
  }

  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.influx
      .writePoints(batch.map(toIPoint), { precision: 'ms' })
      .then(() => {
        this.counters.inc('written', batch.length);
        if (this.failing) this.ctx.log.info('telemetry writes work again');
        this.failing = false;
      })
      .catch((e: unknown) => {
        this.counters.inc('dropped_write_failed', batch.length);
        if (!this.failing) this.ctx.log.warn('telemetry write failed; dropping points until InfluxDB answers', { error: e as Error });
        this.failing = true;
      })
      .finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  async close(): Promise<void> {
    this.stopFlush?.();
    await this.flush();
  }
}

function toIPoint(p: TelemetryPoint): IPoint {
  return { measurement: p.measurement, tags: p.tags, fields: p.fields, timestamp: new Date(p.at) };
}
