/**
 * The store contracts — the core (test/centre/store-contract.ts), the worker app's and the console's
 * (test/web/*-store-contract.ts), pendant settings (test/centre/settings-store-contract.ts), organisations
 * (test/centre/organisation-store-contract.ts) — on a real
 * PostgreSQL started for this file: each test gets a fresh schema, so the suites run exactly as on
 * SQLite — once on schemas this store creates, once on schemas the hand-written PostgreSQL engine
 * created (the upgrade path). Then the upgrade of a filled schema and the fencing of writes by lease tokens.
 */
import { PostgresStore } from '../../centre/src/store/postgres';
import { describeOpsStore } from '../centre/ops-store-contract';
import { describeStore } from '../centre/store-contract';
import { describeOrganisationStore } from '../centre/organisation-store-contract';
import { describeAppStore } from '../web/app-store-contract';
import { describeConsoleStore } from '../web/console-store-contract';
import { describeSettingsStore } from '../centre/settings-store-contract';
import { Postgres } from '../../rig/postgres';
import { FencedError, withFence } from '../../centre/src/store/fence';
import { LEGACY_READS, loadLegacyPostgres } from '../centre/store-legacy/load';
import { migrations } from '../../centre/src/store/migrations';
import { readBack } from '../centre/store-legacy/seed';

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
describeOpsStore('PostgreSQL', freshStore);
describeOrganisationStore('PostgreSQL', freshStore);

/** A schema the hand-written engine created (schema_version 3), opened by today's store. */
async function legacyStore(opts: { schemaOnly?: boolean } = {}): Promise<PostgresStore> {
  const schema = `legacy_${process.pid}_${++n}`;
  await loadLegacyPostgres(pg!.url(), schema, opts);
  const store = new PostgresStore({ url: pg!.url(), schema, maxConnections: 8 });
  stores.push(store);
  return store;
}

describeStore('PostgreSQL, on a schema of the hand-written engine', () => legacyStore({ schemaOnly: true }));

describe('PostgreSQL store upgrade and fencing', () => {
  it('migrates a schema of the hand-written engine in place, without losing a row', async () => {
    const store = await legacyStore();
    // workers starting together: one migrates, the others find it done
    await Promise.all([store.migrate(), store.migrate(), store.migrate()]);
    expect(await readBack(store)).toEqual(LEGACY_READS.postgres);
    const a = await store.createAlarm({ ...(await store.getAlarm('a1'))!, id: 'a3', type: 'fall' }, { at: 1, actor: 'system', action: 'raised', entity: 'alarm', entityId: 'a3' });
    expect(a.number).toBe('1003');
    expect(await store.recordEvent({ deviceId: '0000beef', counter: 1, type: 'heartbeat', receivedAt: 9, gatewayId: 'g', siteId: 's1', rssiDbm: null, batteryPct: null, position: null, detail: 0, ref: 1 })).toBe('stale');
    expect((await store.db.query("SELECT to_regclass('schema_version') AS t")).rows[0]).toEqual({ t: null });
    expect((await store.db.query('SELECT name FROM kysely_migration')).rows).toEqual(Object.keys(migrations('postgres')).map((name) => ({ name })));
    await store.close();
  });

  it('refuses a write made for a bucket whose lease has moved on, and lets the holder write', async () => {
    const store = await freshStore();
    await store.migrate();
    await store.db.query("INSERT INTO cluster_leases (bucket, holder, token, expires_at) VALUES (7, 'w1', 3, vigil_now_ms() + 60000)");
    await withFence({ bucket: 7, token: 3, holder: 'w1' }, () => store.upsertSite({ id: 'held', name: 'H' }));
    await expect(withFence({ bucket: 7, token: 2, holder: 'w1' }, () => store.upsertSite({ id: 'stale', name: 'S' }))).rejects.toBeInstanceOf(FencedError);
    await expect(withFence({ bucket: 7, token: 3, holder: 'w2' }, () => store.recordEvents([]))).resolves.toEqual([]);
    await store.db.query('UPDATE cluster_leases SET expires_at = 0 WHERE bucket = 7');
    await expect(withFence({ bucket: 7, token: 3, holder: 'w1' }, () => store.appendAudit({ at: 1, actor: 'x', action: 'y', entity: 'z', entityId: '1' }))).rejects.toThrow(/no longer held/);
    expect((await store.listSites()).map((s) => s.id)).toEqual(['held']);
    expect(await store.listAudit('z', '1')).toEqual([]);
    await store.close();
  });
});
