/**
 * Replay windows in SQLite (SPEC §3.5), so a restarted gateway still refuses frames it forwarded
 * before. The gateway process owns its database (openGatewayDb locks it), so the windows are held
 * in memory and `accept` — classify and advance in one synchronous step — is atomic: two copies of
 * a frame, from two transports, can never both be accepted. Each advance is written through with
 * the next group commit, together with the outbox writes of the same moment. The bridge calls
 * `accept` only after the frame's outbox entry committed; if the window write is lost in a crash,
 * the pendant's retransmission is forwarded once more, which the centre recognises.
 */
import { advanceWindow, classifyCounter, type ReplayState, type ReplayVerdict } from '../../../protocol/src';
import type { ReplayStore } from '../replay';
import type { Db } from './db';
import { GroupCommit } from './group-commit';

export class SqliteReplayStore implements ReplayStore {
  private readonly select;
  private readonly upsert;
  private readonly group: GroupCommit;
  /** Windows read or written so far; `null` = the database has none for this device. */
  private readonly windows = new Map<number, ReplayState | null>();

  constructor(db: Db, group?: GroupCommit) {
    this.group = group ?? new GroupCommit(db);
    this.select = db.prepare<[number], { last: number; mask: number }>('SELECT last, mask FROM replay WHERE device_id = ?');
    this.upsert = db.prepare<[number, number, number]>('INSERT INTO replay (device_id, last, mask) VALUES (?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET last = excluded.last, mask = excluded.mask');
  }

  get(deviceId: number): ReplayState | undefined {
    let w = this.windows.get(deviceId);
    if (w === undefined) {
      const row = this.select.get(deviceId);
      w = row ? { last: row.last, mask: row.mask >>> 0 } : null;
      this.windows.set(deviceId, w);
    }
    return w ?? undefined;
  }

  accept(deviceId: number, counter: number): ReplayVerdict {
    const state = this.get(deviceId);
    const verdict = classifyCounter(state, counter);
    if (verdict === 'new') {
      const next = advanceWindow(state, counter);
      this.windows.set(deviceId, next);
      this.group.now(() => void this.upsert.run(deviceId, next.last, next.mask));
    }
    return verdict;
  }

  /** Commits pending window writes now (tests, shutdown). */
  flush(): void {
    this.group.flush();
  }
}
