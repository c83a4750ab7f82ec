import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openGatewayDb } from '../../gateway/src/store/db';
import { SqliteReplayStore } from '../../gateway/src/store/replay-sqlite';
import { describeReplayStore } from '../protocol/replay-store-contract';

describeReplayStore('SqliteReplayStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-'));
  let db = openGatewayDb(dir);
  let store = new SqliteReplayStore(db);
  return {
    store,
    reopen: () => {
      store.flush();
      db.close();
      db = openGatewayDb(dir);
      return (store = new SqliteReplayStore(db));
    },
    close: () => {
      store.flush();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
