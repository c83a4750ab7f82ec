/** The pendant-settings store contract on SQLite (the embedded default); PostgreSQL: test/scale/postgres-store.test.ts. */
import { SqliteStore } from '../../centre/src/store/sqlite';
import { describeSettingsStore } from './settings-store-contract';

async function withDevices(store: SqliteStore, ids: string[]): Promise<void> {
  for (const id of ids) await store.addDevice({ id, key: '0f'.repeat(16), board: 'puckjs', workerId: null, siteId: null, createdAt: 0, lastCounter: -1, lastSeenAt: null, batteryPct: null });
}

describeSettingsStore('SQLite', async () => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  return { store, devices: (ids) => withDevices(store, ids), close: () => store.close() };
});
