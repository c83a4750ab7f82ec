/**
 * `npx vigil gateway`: configuration errors reported all at once before anything is opened, and the
 * coverage survey listening with a real LoRa transport on a pseudo-terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Keyring } from '../../gateway/src/keyring';
import { openGatewayDb } from '../../gateway/src/store/db';
import { SqliteKeyringCache } from '../../gateway/src/store/keyring-sqlite';
import { encodeUplink, fromHex } from '../../protocol/src';
import { ScriptedModem } from '../../rig/modem';
import { PtyPair } from '../../rig/pty';
import { until } from '../../rig/wait';
import { EventEmitter } from 'node:events';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-gwcli-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil gateway', () => {
  it('lists every configuration problem and opens nothing', () => {
    const file = join(dir, 'gateway.yaml');
    const dataDir = join(dir, 'data');
    writeFileSync(file, stringify({
      siteId: 's1', gatewayId: 'gw-1', dataDir, mqtt: { url: 'embedded' },
      transports: [{ type: 'lora', id: 'lora0', path: join(dir, 'ttyUSB0'), modem: 'rn2483', spreadingFactor: 5 }, { type: 'ble', id: 'lora0' }],
      siteIo: [{ id: 'io-1', tcp: { host: 'io.local' }, outputs: [{ id: 'siren', coil: 0, when: 'always' }] }],
    }));
    const r = spawnSync(process.execPath, [BIN, 'gateway', '--config', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('transports.0.spreadingFactor: must be >= 7');
    expect(r.stderr).toContain('siteIo.0.outputs.0.when');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('checks a good configuration without starting anything', () => {
    const file = join(dir, 'gateway.yaml');
    const dataDir = join(dir, 'data');
    writeFileSync(file, stringify({ siteId: 's1', gatewayId: 'gw-1', dataDir, mqtt: { url: 'mqtts://centre.example:8883' }, transports: [{ type: 'lora', id: 'lora0', path: '/dev/ttyUSB0', modem: 'rak3172' }] }));
    const r = spawnSync(process.execPath, [BIN, 'gateway', '--config', file, '--check'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Configuration OK: site s1, gateway gw-1, broker mqtts://centre.example:8883, radios: lora0 (lora)');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('reports cross-field problems the same way', () => {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, stringify({ siteId: 's1', gatewayId: 'gw-1', dataDir: join(dir, 'data'), mqtt: { url: 'embedded' }, transports: [{ type: 'ble', id: 'radio' }, { type: 'ble', id: 'radio' }] }));
    const r = spawnSync(process.execPath, [BIN, 'gateway', '--config', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("transports.1.id: id 'radio' is already used at transports.0.id");
    expect(r.stderr).toContain("mqtt.url: 'embedded' needs broker.tcp");
  });
});

describe('vigil gateway survey', () => {
  it('prints the pendants heard with signal strength and lost frames', async () => {
    const pty = await PtyPair.open(dir, 'lora');
    const modem = await ScriptedModem.open({ model: 'rak3172', path: pty.modemPath });
    const dataDir = join(dir, 'data');
    const keyA = '000102030405060708090a0b0c0d0e0f';
    const db = openGatewayDb(dataDir);
    const k = new Keyring();
    k.useCache(new SqliteKeyringCache(db));
    k.apply({ v: 1, siteId: 's1', at: 1, devices: [{ deviceId: '0000aaaa', key: keyA }] });
    db.close();
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, stringify({ siteId: 's1', gatewayId: 'gw-1', dataDir, mqtt: { url: 'mqtt://127.0.0.1:1' }, transports: [{ type: 'lora', id: 'lora0', path: pty.gatewayPath, modem: 'rak3172' }] }));
    const child = spawn(process.execPath, [BIN, 'gateway', 'survey', '--config', file, '--seconds', '4', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const errors = new EventEmitter();
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      errors.emit('data');
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await until(errors, 'data', () => err.includes('Listening for 4 s'), 15_000, 'the survey to listen');
      const frame = (device: number, counter: number, key: string): Uint8Array => encodeUplink({ deviceId: device, counter, type: 'heartbeat' }, fromHex(key)!);
      for (let c = 1; c <= 10; c++) if (c !== 4 && c !== 7) modem.receive(frame(0xaaaa, c, keyA), -90 - c, 5);
      for (let c = 50; c <= 52; c++) modem.receive(frame(0xbbbb, c, 'ffeeddccbbaa99887766554433221100'), -121, -12);
      expect(await exited).toBe(0);
      const report = JSON.parse(out) as { devices: Record<string, unknown>[] };
      expect(report.devices).toEqual([
        expect.objectContaining({ deviceId: '0000aaaa', known: true, via: 'lora0', frames: 8, lossPct: 20, rssiMinDbm: -100, rssiMaxDbm: -91, snrAvgDb: 5, verdict: 'poor' }),
        expect.objectContaining({ deviceId: '0000bbbb', known: false, frames: 3, lossPct: 0, rssiAvgDbm: -121, verdict: 'poor' }),
      ]);
      expect(err).toMatch(/lora0: running/);
    } finally {
      child.kill();
      await modem.close();
      await pty.close();
    }
  });
});
