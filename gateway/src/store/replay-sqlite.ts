/**
 * Replay windows in SQLite (SPEC §3.5), so a restarted gateway still refuses frames it forwarded
 * before. `accept` classifies and advances inside one IMMEDIATE transaction: two copies of a frame
 * (from two transports, or two processes sharing the file) can never both be accepted.
 */
import { advanceWindow, classifyCounter, type ReplayState, type ReplayVerdict } from '../../../protocol/src';
import type { ReplayStore } from '../replay';
import type { Db } from './db';

export class SqliteReplayStore implements ReplayStore {
  private readonly select;
  private readonly upsert;
  private readonly acceptTx;

  constructor(db: Db) {
    this.select = db.prepare<[number], { last: number; mask: number }>('SELECT last, mask FROM replay WHERE device_id = ?');
    this.upsert = db.prepare<[number, number, number]>('INSERT INTO replay (device_id, last, mask) VALUES (?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET last = excluded.last, mask = excluded.mask');
    this.acceptTx = db.transaction((deviceId: number, counter: number): ReplayVerdict => {
      const state = this.get(deviceId);
      const verdict = classifyCounter(state, counter);
      if (verdict === 'new') {
        const next = advanceWindow(state, counter);
        this.upsert.run(deviceId, next.last, next.mask);
      }
      return verdict;
    });
  }

  get(deviceId: number): ReplayState | undefined {
    const row = this.select.get(deviceId);
    return row ? { last: row.last, mask: row.mask >>> 0 } : undefined;
  }

  accept(deviceId: number, counter: number): ReplayVerdict {
    return this.acceptTx.immediate(deviceId, counter);
  }
}
