/**
 * A centre worker's connections to PostgreSQL cut under it (pg_terminate_backend here; a restart of
 * PostgreSQL or a network cut in production — `make bench-scale` kills the server itself):
 * - the live hub over LISTEN/NOTIFY reconnects and reports the gap, so its consoles re-read;
 * - a transaction whose connection is lost between two statements fails, and the process lives on.
 */
import pg from 'pg';
import { createLogger } from '../../common/log';
import { PgChannel } from '../../centre/src/cluster/pg-channel';
import { PgLiveHub } from '../../centre/src/cluster/live-pg';
import { PostgresStore } from '../../centre/src/store/postgres';
import type { LiveEvent } from '../../centre/src/domain/live';
import { Postgres } from '../../rig/postgres';

let server: Postgres | undefined;
beforeAll(async () => {
  server = await Postgres.start();
}, 60_000);
afterAll(() => server?.destroy());

const terminate = async (url: string, where: string, params: unknown[] = []): Promise<number> => {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return (await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${where}`, params)).rowCount ?? 0;
  } finally {
    await admin.end();
  }
};

describe('PostgreSQL connections cut under a worker', () => {
  it('fails a transaction whose connection was lost between statements, without ending the process', async () => {
    const url = await server!.createDatabase('tx');
    const store = new PostgresStore({ url });
    try {
      await store.migrate();
      const cut = store.transaction(async (db) => {
        const pid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const ended = new Promise((resolve) => (db as pg.PoolClient).once('end', resolve));
        expect(await terminate(url, 'pid = $1', [pid])).toBe(1);
        await ended; // the connection is gone while no statement runs: an 'error' event nobody awaits
        await db.query('SELECT 1');
      });
      await expect(cut).rejects.toThrow();
      // the store goes on with a new connection
      expect(await store.transaction(async (db) => (await db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one)).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('live hub: carries events between workers, and reports a gap after its listener was cut', async () => {
    const url = await server!.createDatabase('live');
    const log = createLogger('test', 'silent');
    const a = new PgChannel({ url, log, name: 'worker-a' });
    const b = new PgChannel({ url, log, name: 'worker-b' });
    const hubA = new PgLiveHub(a);
    const hubB = new PgLiveHub(b);
    await Promise.all([a.start(), b.start()]);
    try {
      const next = (): Promise<LiveEvent> => new Promise((resolve) => {
        const off = hubB.subscribe((e) => (off(), resolve(e)));
      });
      const got = next();
      hubA.publish({ type: 'device', deviceId: '0000beef' });
      expect(await got).toEqual({ type: 'device', deviceId: '0000beef' });

      const gap = new Promise<void>((resolve) => {
        const off = hubB.onGap(() => (off(), resolve()));
      });
      expect(await terminate(url, "application_name = 'worker-b-listen'")).toBe(1);
      await gap; // reconnected, and says so
      const after = next();
      hubA.publish({ type: 'device', deviceId: '0000cafe' });
      expect(await after).toEqual({ type: 'device', deviceId: '0000cafe' });
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
