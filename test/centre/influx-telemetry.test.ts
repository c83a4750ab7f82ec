/**
 * Telemetry into a real InfluxDB 1.x started here: battery, RSSI, heartbeat gaps and alarm counts from
 * frames going through the real ingest; the retention policy from the config; and a dead InfluxDB
 * costing dropped points, never an error on the alarm path.
 */
import { InfluxDB } from 'influx';
import { VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { InfluxTelemetrySink } from '../../centre/src/telemetry/influx';
import { startHarness, type Harness } from '../helpers/centre-harness';
import { type Influxd, startInfluxd } from '../helpers/centre-influx';

describe('InfluxDB telemetry', () => {
  let influxd: Influxd;
  let h: Harness;
  let sink: InfluxTelemetrySink;

  beforeAll(async () => {
    influxd = await startInfluxd();
  });

  afterAll(async () => {
    await influxd?.stop();
  });

  let database: string;

  beforeEach(async () => {
    const clock = new VirtualClock(Date.now()); // InfluxDB drops points older than the retention policy
    database = `vigil_${Date.now()}`;
    sink = new InfluxTelemetrySink({ url: influxd.url, database, flushMs: 1000, retentionDays: 30 }, { clock, log: createLogger('influx', 'silent') });
    h = await startHarness({ telemetry: sink, clock }); // the centre creates the database and its retention policy
  });

  afterEach(async () => {
    await h.stop();
  });

  it('writes battery, RSSI, heartbeat gaps and alarm counts, never a worker or a position', async () => {
    await h.frame('heartbeat', { batteryPct: 81 });
    await h.advance(60_000);
    await h.frame('heartbeat', { batteryPct: 80, position: { kind: 'gps', lat: 48.8, lon: 2.3 } });
    await h.advance(1000); // a point is unique per series and time: same-ms points would overwrite
    await h.frame('sos');
    await sink.flush();
    const db = new InfluxDB({ host: '127.0.0.1', port: Number(new URL(influxd.url).port), database });
    const battery = await db.query<{ pct: number; device: string; site: string }>('SELECT pct, device, site FROM battery');
    expect(battery.map((r) => r.pct)).toEqual([81, 80, 80]);
    expect(battery[0]).toMatchObject({ device: '0000beef', site: 'site-a' });
    expect((await db.query<{ dbm: number; gateway: string }>('SELECT dbm, gateway FROM rssi')).map((r) => [r.dbm, r.gateway])).toEqual([[-70, 'gw-1'], [-70, 'gw-1'], [-70, 'gw-1']]);
    expect((await db.query<{ s: number }>('SELECT s FROM heartbeat_gap')).map((r) => r.s)).toEqual([60]);
    expect((await db.query<{ count: number; type: string }>('SELECT count, type FROM alarms')).map((r) => [r.count, r.type])).toEqual([[1, 'sos']]);
    const keys = (await db.query<{ tagKey: string }>('SHOW TAG KEYS')).map((r) => r.tagKey);
    expect(keys).not.toContain('worker');
    expect(await db.query('SHOW FIELD KEYS')).not.toContainEqual(expect.objectContaining({ fieldKey: 'lat' }));
    const rps = await db.showRetentionPolicies();
    expect(rps.find((r) => r.default)).toMatchObject({ name: 'vigil_30d', duration: '720h0m0s' });
  });

  it('drops telemetry, and only telemetry, when InfluxDB is unreachable', async () => {
    const dead = new InfluxTelemetrySink({ url: 'http://127.0.0.1:9', database: 'vigil', flushMs: 1000, retentionDays: 30 }, { clock: h.clock, log: createLogger('influx', 'silent') });
    await dead.start(); // logs, does not throw
    await dead.write([{ measurement: 'battery', tags: { device: 'd', site: 's' }, fields: { pct: 50 }, at: h.clock.now() }]);
    await dead.flush();
    expect(dead.counters.get('dropped_write_failed')).toBe(1);
    await dead.close();
  });
});
