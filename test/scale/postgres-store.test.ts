/**
 * The store contracts — the core (test/centre/store-contract.ts), the worker app's and the console's
 * (test/web/*-store-contract.ts), pendant settings (test/centre/settings-store-contract.ts) — on a real PostgreSQL started for this file: each test gets a fresh
 * schema, so the suites run exactly as on SQLite.
 */
import { PostgresStore } from '../../centre/src/store/postgres';
import { describeStore } from '../centre/store-contract';
import { describeAppStore } from '../web/app-store-contract';
import { describeConsoleStore } from '../web/console-store-contract';
import { describeSettingsStore } from '../centre/settings-store-contract';
import { Postgres } from '../helpers/postgres';

let pg: Postgres | undefined;
let n = 0;
const stores: PostgresStore[] = [];

beforeAll(async () => {
  pg = await Postgres.start();
}, 60_000);

afterAll(async () => {
  await pg?.destroy();
});

async function freshStore(): Promise<PostgresStore> {
  const schema = `contract_${process.pid}_${++n}`;
  const admin = new PostgresStore({ url: pg!.url() });
  await admin.transaction((db) => db.query(`CREATE SCHEMA ${schema}`));
  await admin.close();
  const store = new PostgresStore({ url: pg!.url(), schema, maxConnections: 8 });
  stores.push(store);
  return store;
}

describeStore('PostgreSQL', freshStore);
describeAppStore('PostgreSQL', freshStore);
describeConsoleStore('PostgreSQL', freshStore);
describeSettingsStore('PostgreSQL', async () => {
  const store = await freshStore();
  await store.migrate();
  return {
    store,
    devices: async (ids) => {
      for (const id of ids) await store.addDevice({ id, key: '0f'.repeat(16), board: 'puckjs', workerId: null, siteId: null, createdAt: 0, lastCounter: -1, lastSeenAt: null, batteryPct: null });
    },
    close: async () => undefined, // closed with the others after the file
  };
});
