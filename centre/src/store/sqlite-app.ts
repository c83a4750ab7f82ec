/** SQLite store, worker-app part (app-records.ts): worker logins, pairing codes, idempotent phone actions. */
import { defineTable, type Row } from './sqlite-base';
import { SqliteWorkStore } from './sqlite-work';
import type { AppAction, AppEventInput, AppEventResult, PairingCode, WorkerCredential, WorkerLogin } from './types';

const CREDENTIALS = defineTable<WorkerCredential>({
  table: 'worker_credentials',
  columns: { workerId: 'worker_id', username: 'username', passwordHash: 'password_hash', createdAt: 'created_at', createdBy: 'created_by' },
});
const LOGINS = defineTable<WorkerLogin>({
  table: 'worker_logins',
  columns: { tokenHash: 'token_hash', workerId: 'worker_id', via: 'via', createdAt: 'created_at', expiresAt: 'expires_at' },
});
const PAIRING = defineTable<PairingCode>({
  table: 'pairing_codes',
  columns: { codeHash: 'code_hash', workerId: 'worker_id', createdAt: 'created_at', createdBy: 'created_by', expiresAt: 'expires_at', usedAt: 'used_at' },
});
const ACTIONS = defineTable<AppAction>({
  table: 'app_actions',
  columns: { key: 'key', workerId: 'worker_id', action: 'action', at: 'at', deviceId: 'device_id', counter: 'counter', status: 'status', response: 'response' },
  json: ['response'],
});

export class SqliteAppStore extends SqliteWorkStore {
  async putWorkerCredential(c: WorkerCredential): Promise<boolean> {
    return this.tx(() => {
      const owner = this.stmt('SELECT worker_id FROM worker_credentials WHERE username = ?').get(c.username) as { worker_id: string } | undefined;
      if (owner && owner.worker_id !== c.workerId) return false;
      this.insertRow(CREDENTIALS, c, 'ON CONFLICT(worker_id) DO UPDATE SET username = excluded.username, password_hash = excluded.password_hash, created_at = excluded.created_at, created_by = excluded.created_by');
      return true;
    });
  }

  async getWorkerCredential(by: { workerId: string } | { username: string }): Promise<WorkerCredential | undefined> {
    const r = ('workerId' in by
      ? this.stmt('SELECT * FROM worker_credentials WHERE worker_id = ?').get(by.workerId)
      : this.stmt('SELECT * FROM worker_credentials WHERE username = ?').get(by.username)) as Row | undefined;
    return r ? this.fromRow(CREDENTIALS, r) : undefined;
  }

  async deleteWorkerCredential(workerId: string): Promise<boolean> {
    return this.tx(() => {
      const gone = this.stmt('DELETE FROM worker_credentials WHERE worker_id = ?').run(workerId).changes > 0;
      this.stmt('DELETE FROM worker_logins WHERE worker_id = ?').run(workerId);
      this.stmt('DELETE FROM pairing_codes WHERE worker_id = ? AND used_at IS NULL').run(workerId);
      return gone;
    });
  }

  async revokeWorkerLogins(workerId: string): Promise<number> {
    return this.stmt('DELETE FROM worker_logins WHERE worker_id = ?').run(workerId).changes;
  }

  async createWorkerLogin(l: WorkerLogin): Promise<void> {
    this.insertRow(LOGINS, l);
  }

  async getWorkerLogin(tokenHash: string): Promise<WorkerLogin | undefined> {
    const r = this.stmt('SELECT * FROM worker_logins WHERE token_hash = ?').get(tokenHash) as Row | undefined;
    return r ? this.fromRow(LOGINS, r) : undefined;
  }

  async touchWorkerLogin(tokenHash: string, expiresAt: number): Promise<void> {
    this.stmt('UPDATE worker_logins SET expires_at = MAX(expires_at, ?) WHERE token_hash = ?').run(expiresAt, tokenHash);
  }

  async deleteWorkerLogin(tokenHash: string): Promise<void> {
    this.stmt('DELETE FROM worker_logins WHERE token_hash = ?').run(tokenHash);
  }

  async createPairingCode(p: PairingCode): Promise<void> {
    this.insertRow(PAIRING, p);
  }

  async redeemPairingCode(codeHash: string, at: number): Promise<PairingCode | undefined> {
    return this.tx(() => {
      const changed = this.stmt('UPDATE pairing_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?').run(at, codeHash, at).changes;
      if (changed === 0) return undefined;
      return this.fromRow(PAIRING, this.stmt('SELECT * FROM pairing_codes WHERE code_hash = ?').get(codeHash) as Row);
    });
  }

  async getAppAction(key: string): Promise<AppAction | undefined> {
    const r = this.stmt('SELECT * FROM app_actions WHERE key = ?').get(key) as Row | undefined;
    return r ? this.fromRow(ACTIONS, r) : undefined;
  }

  async putAppAction(a: AppAction): Promise<boolean> {
    return this.insertRow(ACTIONS, a, 'ON CONFLICT(key) DO NOTHING').changes > 0;
  }

  async recordAppEvent(e: AppEventInput): Promise<AppEventResult> {
    return this.tx((): AppEventResult => {
      const known = this.stmt('SELECT * FROM app_actions WHERE key = ?').get(e.key) as Row | undefined;
      if (known) {
        const a = this.fromRow(ACTIONS, known);
        if (a.workerId !== e.workerId || a.deviceId !== e.deviceId || a.counter === null) return { verdict: 'foreign' };
        const ev = this.stmt('SELECT handled, ref FROM events WHERE device_id = ? AND counter = ?').get(a.deviceId, a.counter) as { handled: number; ref: number } | undefined;
        // An event purged by the retention was handled long ago.
        return { verdict: ev?.handled === 0 ? 'retry' : 'duplicate', counter: a.counter, ref: ev?.ref ?? a.counter };
      }
      const dev = this.stmt('SELECT last_counter AS c, purged_counter AS p FROM devices WHERE id = ?').get(e.deviceId) as { c: number; p: number } | undefined;
      if (!dev) return { verdict: 'unknown_device' };
      const counter = Math.max(dev.c, dev.p) + 1;
      const opener = e.incidentKey
        ? (this.stmt('SELECT counter FROM app_actions WHERE key = ? AND worker_id = ? AND device_id = ?').get(e.incidentKey, e.workerId, e.deviceId) as { counter: number | null } | undefined)
        : undefined;
      const ref = opener?.counter ?? counter;
      this.insertRow(ACTIONS, { key: e.key, workerId: e.workerId, action: `event:${e.type}`, at: e.at, deviceId: e.deviceId, counter, status: null, response: null });
      this.stmt('INSERT INTO events (device_id, counter, type, received_at, gateway_id, site_id, rssi_dbm, battery_pct, position, detail, ref, handled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(e.deviceId, counter, e.type, e.at, 'app', e.siteId, null, e.batteryPct, e.position ? JSON.stringify(e.position) : null, e.detail, ref, e.mustHandle ? 0 : 1);
      this.stmt('UPDATE devices SET last_counter = ?, last_seen_at = MAX(COALESCE(last_seen_at, 0), ?), battery_pct = COALESCE(?, battery_pct) WHERE id = ?')
        .run(counter, e.at, e.batteryPct, e.deviceId);
      return { verdict: 'new', counter, ref };
    });
  }

  async purgeApp(before: number, now: number): Promise<number> {
    return this.tx(() =>
      this.stmt('DELETE FROM app_actions WHERE at < ?').run(before).changes +
      this.stmt('DELETE FROM worker_logins WHERE expires_at <= ?').run(now).changes +
      this.stmt('DELETE FROM pairing_codes WHERE expires_at <= ? OR (used_at IS NOT NULL AND used_at < ?)').run(now, before).changes,
    );
  }
}
