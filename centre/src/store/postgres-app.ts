/**
 * PostgreSQL store, worker-app part (app-records.ts; sqlite-app.ts is the SQLite twin): worker
 * logins, pairing codes, idempotent phone actions. Between workers: a phone event locks its device's
 * row first, so two events of one phone get two counters and one key retried on two workers at once
 * becomes one event; a pairing code is redeemed by a conditional update (once, whoever asks).
 */
import { pgTable, type Row } from './postgres-base';
import { PgWorkStore } from './postgres-work';
import type { AppAction, AppEventInput, AppEventResult, PairingCode, WorkerCredential, WorkerLogin } from './types';

const CREDENTIALS = pgTable<WorkerCredential>({
  table: 'worker_credentials',
  columns: { workerId: 'worker_id', username: 'username', passwordHash: 'password_hash', createdAt: 'created_at', createdBy: 'created_by' },
});
const LOGINS = pgTable<WorkerLogin>({
  table: 'worker_logins',
  columns: { tokenHash: 'token_hash', workerId: 'worker_id', via: 'via', createdAt: 'created_at', expiresAt: 'expires_at' },
});
const PAIRING = pgTable<PairingCode>({
  table: 'pairing_codes',
  columns: { codeHash: 'code_hash', workerId: 'worker_id', createdAt: 'created_at', createdBy: 'created_by', expiresAt: 'expires_at', usedAt: 'used_at' },
});
const ACTIONS = pgTable<AppAction>({
  table: 'app_actions',
  columns: { key: 'key', workerId: 'worker_id', action: 'action', at: 'at', deviceId: 'device_id', counter: 'counter', status: 'status', response: 'response' },
  json: ['response'],
});

export class PgAppStore extends PgWorkStore {
  async putWorkerCredential(c: WorkerCredential): Promise<boolean> {
    return this.tx(async (db) => {
      const [owner] = (await db.query<{ worker_id: string }>('SELECT worker_id FROM worker_credentials WHERE username = $1', [c.username])).rows;
      if (owner && owner.worker_id !== c.workerId) return false;
      // Two admins giving one new name to two workers at once: the unique index refuses the second.
      await this.insertRow(db, CREDENTIALS, c, 'ON CONFLICT (worker_id) DO UPDATE SET username = excluded.username, password_hash = excluded.password_hash, created_at = excluded.created_at, created_by = excluded.created_by');
      return true;
    });
  }

  async getWorkerCredential(by: { workerId: string } | { username: string }): Promise<WorkerCredential | undefined> {
    const r = 'workerId' in by
      ? await this.row('SELECT * FROM worker_credentials WHERE worker_id = $1', [by.workerId])
      : await this.row('SELECT * FROM worker_credentials WHERE username = $1', [by.username]);
    return r ? this.fromRow(CREDENTIALS, r) : undefined;
  }

  async deleteWorkerCredential(workerId: string): Promise<boolean> {
    return this.tx(async (db) => {
      const gone = ((await db.query('DELETE FROM worker_credentials WHERE worker_id = $1', [workerId])).rowCount ?? 0) > 0;
      await db.query('DELETE FROM worker_logins WHERE worker_id = $1', [workerId]);
      await db.query('DELETE FROM pairing_codes WHERE worker_id = $1 AND used_at IS NULL', [workerId]);
      return gone;
    });
  }

  async revokeWorkerLogins(workerId: string): Promise<number> {
    return (await this.tx((db) => db.query('DELETE FROM worker_logins WHERE worker_id = $1', [workerId]))).rowCount ?? 0;
  }

  async createWorkerLogin(l: WorkerLogin): Promise<void> {
    await this.tx((db) => this.insertRow(db, LOGINS, l));
  }

  async getWorkerLogin(tokenHash: string): Promise<WorkerLogin | undefined> {
    const r = await this.row('SELECT * FROM worker_logins WHERE token_hash = $1', [tokenHash]);
    return r ? this.fromRow(LOGINS, r) : undefined;
  }

  async touchWorkerLogin(tokenHash: string, expiresAt: number): Promise<void> {
    await this.tx((db) => db.query('UPDATE worker_logins SET expires_at = GREATEST(expires_at, $1) WHERE token_hash = $2', [expiresAt, tokenHash]));
  }

  async deleteWorkerLogin(tokenHash: string): Promise<void> {
    await this.tx((db) => db.query('DELETE FROM worker_logins WHERE token_hash = $1', [tokenHash]));
  }

  async createPairingCode(p: PairingCode): Promise<void> {
    await this.tx((db) => this.insertRow(db, PAIRING, p));
  }

  async redeemPairingCode(codeHash: string, at: number): Promise<PairingCode | undefined> {
    const [r] = await this.tx(async (db) => (await db.query('UPDATE pairing_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING *', [at, codeHash])).rows);
    return r ? this.fromRow(PAIRING, r) : undefined;
  }

  async getAppAction(key: string): Promise<AppAction | undefined> {
    const r = await this.row('SELECT * FROM app_actions WHERE key = $1', [key]);
    return r ? this.fromRow(ACTIONS, r) : undefined;
  }

  async putAppAction(a: AppAction): Promise<boolean> {
    return ((await this.tx((db) => this.insertRow(db, ACTIONS, a, 'ON CONFLICT (key) DO NOTHING'))).rowCount ?? 0) > 0;
  }

  async recordAppEvent(e: AppEventInput): Promise<AppEventResult> {
    return this.tx(async (db): Promise<AppEventResult> => {
      // The device's row first: events of one phone are numbered one at a time, and a key sent twice
      // at once is seen as known by the second (READ COMMITTED: its next statement sees the first's commit).
      const [dev] = (await db.query<{ c: number; p: number }>('SELECT last_counter AS c, purged_counter AS p FROM devices WHERE id = $1 FOR UPDATE', [e.deviceId])).rows;
      const [known] = (await db.query('SELECT * FROM app_actions WHERE key = $1', [e.key])).rows;
      if (known) {
        const a = this.fromRow(ACTIONS, known);
        if (a.workerId !== e.workerId || a.deviceId !== e.deviceId || a.counter === null) return { verdict: 'foreign' };
        const [ev] = (await db.query<{ handled: boolean; ref: number }>('SELECT handled, ref FROM events WHERE device_id = $1 AND counter = $2', [a.deviceId, a.counter])).rows;
        // An event purged by the retention was handled long ago.
        return { verdict: ev?.handled === false ? 'retry' : 'duplicate', counter: a.counter, ref: ev?.ref ?? a.counter };
      }
      if (!dev) return { verdict: 'unknown_device' };
      const counter = Math.max(dev.c, dev.p) + 1;
      const opener: Row | undefined = e.incidentKey
        ? (await db.query('SELECT counter FROM app_actions WHERE key = $1 AND worker_id = $2 AND device_id = $3', [e.incidentKey, e.workerId, e.deviceId])).rows[0]
        : undefined;
      const ref = (opener?.['counter'] as number | null | undefined) ?? counter;
      await this.insertRow(db, ACTIONS, { key: e.key, workerId: e.workerId, action: `event:${e.type}`, at: e.at, deviceId: e.deviceId, counter, status: null, response: null });
      await db.query(
        'INSERT INTO events (device_id, counter, type, received_at, gateway_id, site_id, rssi_dbm, battery_pct, position, detail, ref, handled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
        [e.deviceId, counter, e.type, e.at, 'app', e.siteId, null, e.batteryPct, e.position ? JSON.stringify(e.position) : null, e.detail, ref, !e.mustHandle],
      );
      await db.query(
        'UPDATE devices SET last_counter = $1, last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $2), battery_pct = COALESCE($3, battery_pct) WHERE id = $4',
        [counter, e.at, e.batteryPct, e.deviceId],
      );
      return { verdict: 'new', counter, ref };
    });
  }

  async purgeApp(before: number, now: number): Promise<number> {
    return this.tx(async (db) => {
      const n = async (sql: string, args: unknown[]): Promise<number> => (await db.query(sql, args)).rowCount ?? 0;
      return (await n('DELETE FROM app_actions WHERE at < $1', [before]))
        + (await n('DELETE FROM worker_logins WHERE expires_at <= $1', [now]))
        + (await n('DELETE FROM pairing_codes WHERE expires_at <= $1 OR (used_at IS NOT NULL AND used_at < $2)', [now, before]));
    });
  }
}
