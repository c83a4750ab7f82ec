/**
 * Bucket leases with fencing tokens, held in PostgreSQL. Why lease rows rather than advisory locks
 * (docs/scale.md): an advisory lock lives as long as the connection that took it, so a worker stalled
 * with its connection open keeps it forever, and a lock carries no token a write could be checked
 * against. A lease row expires by the database's clock, and every takeover increments its token,
 * which every fenced write checks (fence.ts).
 *
 * Each round (every `renewMs`): the worker records that it is alive, renews its leases, counts the
 * live workers, and moves toward its fair share (`ceil(buckets / live)`): it takes expired buckets when
 * it has fewer, and hands buckets back when it has more (a worker joined). A dead worker's leases
 * expire `ttlMs` after its last renewal and are taken at the next round of the others: its devices
 * move within ttl + renew (8 s by default).
 *
 * Locally a lease counts only until `renewal start + ttl − margin`: a worker whose renewals fail
 * (database unreachable) stops running its buckets before the database lets anybody else take them.
 */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { Db } from '../store/postgres';

export interface LeaseOptions {
  db: Db;
  tx: <T>(fn: (db: Db) => Promise<T>) => Promise<T>;
  clock: Clock;
  log: Logger;
  nodeId: string;
  /** The MQTT client id (two workers with one id would throw each other off the broker). */
  clientId: string;
  httpUrl: string | null;
  channels: readonly string[];
  /** Buckets of a new cluster (an existing one keeps the number it was created with). */
  buckets: number;
  ttlMs: number;
  renewMs: number;
  /** Safety margin between a lease's local end and its end in the database. */
  marginMs?: number;
}

export interface LiveNode {
  id: string;
  clientId: string;
  httpUrl: string | null;
}

export interface LeaseListener {
  acquired(buckets: number[]): void;
  lost(buckets: number[]): void;
  /** The set of live workers changed (joined, left, died). */
  membership?(nodes: LiveNode[]): void;
}

export class Leases {
  /** bucket → token and the local deadline of the lease. */
  private readonly held = new Map<number, { token: number; until: number }>();
  private nodes: LiveNode[] = [];
  private dead: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  buckets = 0;
  readonly counters = { rounds: 0, failedRounds: 0, acquired: 0, lost: 0, released: 0 };

  constructor(private readonly o: LeaseOptions, private readonly listener: LeaseListener) {}

  /** Joins the cluster: refuses a second live worker with the same MQTT client id, then takes a first share. */
  async start(): Promise<void> {
    const { db, tx, nodeId, clientId } = this.o;
    this.buckets = await tx(async (c) => {
      await c.query("INSERT INTO meta (key, value) VALUES ('cluster_buckets', $1) ON CONFLICT (key) DO NOTHING", [this.o.buckets]);
      const n = (await c.query<{ value: number }>("SELECT value FROM meta WHERE key = 'cluster_buckets'")).rows[0]!.value;
      await c.query('INSERT INTO cluster_leases (bucket) SELECT g FROM generate_series(0, $1::int - 1) g ON CONFLICT (bucket) DO NOTHING', [n]);
      return n;
    });
    const twin = await db.query<{ id: string }>('SELECT id FROM cluster_nodes WHERE client_id = $1 AND stopped_at IS NULL AND seen_at > vigil_now_ms() - $2 AND id <> $3', [clientId, this.o.ttlMs, nodeId]);
    if (twin.rowCount) throw new Error(`Another centre worker (${twin.rows[0]!.id}) is running with MQTT client id '${clientId}': give each worker its own mqtt.clientId`);
    await db.query(
      'INSERT INTO cluster_nodes (id, client_id, http_url, channels, started_at, seen_at) VALUES ($1, $2, $3, $4, vigil_now_ms(), vigil_now_ms())',
      [nodeId, clientId, this.o.httpUrl, this.o.channels.join(',')],
    );
    await this.round();
    this.schedule();
  }

  /** Hands every lease back (a clean stop: the others take over at once, not after the ttl). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const mine = [...this.held.keys()];
    this.held.clear();
    if (mine.length) this.listener.lost(mine);
    try {
      await this.o.db.query('UPDATE cluster_leases SET expires_at = 0 WHERE holder = $1', [this.o.nodeId]);
      await this.o.db.query('UPDATE cluster_nodes SET stopped_at = vigil_now_ms() WHERE id = $1', [this.o.nodeId]);
    } catch (e) {
      this.o.log.warn('leases not handed back (they expire by themselves)', { error: e as Error });
    }
  }

  owns(bucket: number): boolean {
    const h = this.held.get(bucket);
    return h !== undefined && h.until > this.o.clock.now();
  }

  token(bucket: number): number | undefined {
    return this.owns(bucket) ? this.held.get(bucket)!.token : undefined;
  }

  ownedBuckets(): number[] {
    return [...this.held.keys()].filter((b) => this.owns(b)).sort((a, b) => a - b);
  }

  liveNodes(): LiveNode[] {
    return this.nodes;
  }

  /** Workers of the last day that stopped or stopped renewing: their outbox claims are abandoned. */
  deadNodes(): string[] {
    return this.dead;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, this.o.renewMs);
  }

  private async round(): Promise<void> {
    const { db, nodeId, ttlMs, clock } = this.o;
    const startedAt = clock.now();
    const until = startedAt + ttlMs - (this.o.marginMs ?? Math.min(1000, ttlMs / 4));
    this.expireLocally();
    try {
      const seen = await db.query('UPDATE cluster_nodes SET seen_at = vigil_now_ms() WHERE id = $1 AND stopped_at IS NULL', [nodeId]);
      if (seen.rowCount === 0) throw new Error('this worker was marked stopped');
      const mine = [...this.held.keys()];
      const renewed = await db.query<{ bucket: number; token: number }>(
        'UPDATE cluster_leases SET expires_at = vigil_now_ms() + $2 WHERE holder = $1 AND bucket = ANY($3) AND expires_at > vigil_now_ms() RETURNING bucket, token', [nodeId, ttlMs, mine]);
      // A lease this worker gave up locally (not renewed in time) but the database still counts: hand it on.
      await db.query('UPDATE cluster_leases SET expires_at = 0 WHERE holder = $1 AND NOT (bucket = ANY($2)) AND expires_at > 0', [nodeId, mine]);
      const still = new Map(renewed.rows.map((r) => [r.bucket, r.token]));
      const lost = [...this.held.entries()].filter(([b, h]) => still.get(b) !== h.token).map(([b]) => b);
      for (const b of lost) this.held.delete(b);
      for (const [b, token] of still) if (this.held.get(b)?.token === token) this.held.set(b, { token, until });
      if (lost.length) this.lose(lost, 'taken over or expired in the database');
      await this.membership();
      const target = Math.ceil(this.buckets / Math.max(1, this.nodes.length));
      if (this.held.size < target) await this.acquire(target - this.held.size, until);
      else if (this.held.size > target) await this.release(this.held.size - target);
      this.counters.rounds++;
    } catch (e) {
      this.counters.failedRounds++;
      this.o.log.warn('lease round failed; leases run out locally unless the next one works', { error: e as Error, held: this.held.size });
    }
  }

  private async membership(): Promise<void> {
    const r = await this.o.db.query<{ id: string; client_id: string; http_url: string | null }>(
      'SELECT id, client_id, http_url FROM cluster_nodes WHERE stopped_at IS NULL AND seen_at > vigil_now_ms() - $1 ORDER BY id', [this.o.ttlMs]);
    const nodes = r.rows.map((n) => ({ id: n.id, clientId: n.client_id, httpUrl: n.http_url }));
    const d = await this.o.db.query<{ id: string }>(
      'SELECT id FROM cluster_nodes WHERE (stopped_at IS NOT NULL OR seen_at <= vigil_now_ms() - $1) AND seen_at > vigil_now_ms() - 86400000', [this.o.ttlMs]);
    this.dead = d.rows.map((n) => n.id);
    const changed = nodes.map((n) => n.id).join() !== this.nodes.map((n) => n.id).join();
    this.nodes = nodes;
    if (changed) this.listener.membership?.(nodes);
  }

  private async acquire(n: number, until: number): Promise<void> {
    const r = await this.o.db.query<{ bucket: number; token: number }>(
      `UPDATE cluster_leases SET holder = $1, token = token + 1, expires_at = vigil_now_ms() + $2, acquired_at = vigil_now_ms()
       WHERE bucket IN (SELECT bucket FROM cluster_leases WHERE expires_at <= vigil_now_ms() ORDER BY bucket FOR UPDATE SKIP LOCKED LIMIT $3)
       RETURNING bucket, token`, [this.o.nodeId, this.o.ttlMs, n]);
    if (r.rowCount === 0) return;
    for (const row of r.rows) this.held.set(row.bucket, { token: row.token, until });
    this.counters.acquired += r.rows.length;
    const got = r.rows.map((row) => row.bucket).sort((a, b) => a - b);
    this.o.log.info('buckets taken', { buckets: got.length, held: this.held.size, live: this.nodes.length });
    this.listener.acquired(got);
  }

  /** A worker joined: stop running the extra buckets first, then let the database hand them on. */
  private async release(n: number): Promise<void> {
    const give = [...this.held.keys()].sort((a, b) => b - a).slice(0, n);
    const tokens = give.map((b) => this.held.get(b)!.token);
    for (const b of give) this.held.delete(b);
    this.listener.lost(give);
    await this.o.db.query('UPDATE cluster_leases SET expires_at = 0 WHERE holder = $1 AND bucket = ANY($2) AND token = ANY($3)', [this.o.nodeId, give, tokens]);
    this.counters.released += give.length;
    this.o.log.info('buckets handed back for a fair share', { buckets: give.length, held: this.held.size, live: this.nodes.length });
  }

  private expireLocally(): void {
    const now = this.o.clock.now();
    const gone = [...this.held.entries()].filter(([, h]) => h.until <= now).map(([b]) => b);
    for (const b of gone) this.held.delete(b);
    if (gone.length) this.lose(gone, 'not renewed in time');
  }

  private lose(buckets: number[], why: string): void {
    this.counters.lost += buckets.length;
    this.o.log.warn('buckets lost', { buckets: buckets.length, why });
    this.listener.lost(buckets);
  }
}
