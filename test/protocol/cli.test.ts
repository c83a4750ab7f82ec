/**
 * `npx vigil frame …` and `npx vigil device …` as a user runs them: real processes, a real centre
 * database in a temp dir, and the printed settings line run inside a virtual pendant.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../common/clock';
import { SqliteStore } from '../../centre/src/store/sqlite';
import { loadDist } from '../../firmware/tools/build';
import { decodeUplink, fromHex, parseDeviceId } from '../../protocol/src';
import { parseAdvert } from '../../simulator/src/espruino/advert';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { toBytes } from '../../simulator/src/espruino/storage';
import { uplinkVectors } from './vectors';

const BIN = join(__dirname, '..', '..', 'bin', 'vigil.js');
const vigil = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8' });
const K1 = '000102030405060708090a0b0c0d0e0f';

describe('vigil frame', () => {
  const v = uplinkVectors().positive.find((x) => x.name.startsWith('sos, fourth repeat'))!;

  it('encodes a vector frame from options and decodes it back to JSON', () => {
    const p = v.input.position!;
    if (p.kind !== 'beacon') throw new Error('expected a beacon vector');
    const enc = vigil('frame', 'encode', '--key', K1, '--device', v.input.deviceId, '--counter', String(v.input.counter), '--type', v.input.type, '--battery', String(v.input.batteryPct),
      '--flags', 'protection', '--detail', String(v.input.detail), '--ref', String(v.input.ref), '--beacon', `${p.beaconId}:${p.rssiDbm}:${p.ageS}`);
    expect(enc.stderr).toBe('');
    expect(enc.stdout.trim()).toBe(v.frame);
    const dec = vigil('frame', 'decode', '--key', K1, '--last-counter', String(v.lastCounter), v.frame);
    expect(dec.status).toBe(0);
    expect(JSON.parse(dec.stdout)).toEqual({ kind: 'uplink', ...v.decoded });
  });

  it('prints {"error": code} and exits non-zero for a frame that does not verify', () => {
    const tampered = v.frame.slice(0, -2) + (v.frame.endsWith('00') ? '01' : '00');
    const dec = vigil('frame', 'decode', '--key', K1, tampered);
    expect(dec.status).toBe(1);
    expect(JSON.parse(dec.stdout)).toMatchObject({ error: 'bad_tag' });
    expect(JSON.parse(vigil('frame', 'decode', '--key', K1, 'c0ffee').stdout)).toMatchObject({ error: 'bad_length' });
  });

  it('encodes and decodes downlinks, and refuses bad options with usage and exit code 2', () => {
    const enc = vigil('frame', 'encode', '--key', K1, '--device', '00c0ffee', '--counter', '172', '--command', 'protection', '--param', '1');
    const dec = vigil('frame', 'decode', '--key', K1, enc.stdout.trim());
    expect(JSON.parse(dec.stdout)).toEqual({ kind: 'downlink', deviceId: '00c0ffee', counter: 172, command: 'protection', param: 1 });
    const bad = vigil('frame', 'encode', '--key', 'abc', '--device', '00c0ffee', '--counter', '1', '--type', 'sos');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--key must be 32 hex digits');
    expect(vigil('frame', 'encode', '--nope').status).toBe(2);
  });

  it('prints the SPEC tables', () => {
    const r = vigil('frame', 'spec');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('### message-types');
    expect(r.stdout).toContain('| 6 | `duress` | alarm |');
  });
});

describe('vigil device', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-device-'));
    const store = new SqliteStore(join(dir, 'centre.db'));
    await store.migrate();
    await store.upsertSite({ id: 'site-a', name: 'Site A' });
    await store.upsertWorker({ id: 'w1', name: 'Wendy Worker', phone: null, siteId: 'site-a' });
    await store.close();
    writeFileSync(join(dir, 'centre.yaml'), `dataDir: ${dir}\nmqtt: { url: "mqtt://127.0.0.1:1883" }\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('provisions a pendant whose settings line makes it send frames the centre can verify', async () => {
    const r = vigil('device', 'add', '--board', 'puckjs', '--worker', 'w1', '--data', dir, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { deviceId: string; siteId: string; settings: string };
    expect(out.siteId).toBe('site-a');
    const store = new SqliteStore(join(dir, 'centre.db'));
    const record = (await store.getDevice(out.deviceId))!;
    await store.close();
    expect(record).toMatchObject({ board: 'puckjs', workerId: 'w1', siteId: 'site-a' });

    // A used pendant: old settings and an old counter, which the line must clear (SPEC §11).
    const clock = new VirtualClock();
    const board = new VirtualBoard({ board: 'puckjs', clock });
    board.flash.files.set('vigil.json', toBytes(JSON.stringify({ id: '00000001', key: '11'.repeat(16), rep: [3] })));
    board.boot(loadDist('puckjs'));
    board.evaluate('for (var i = 0; i < 300; i++) VCtr.next()');
    board.evaluate(out.settings);
    expect(board.errors).toEqual([]);
    expect(board.evaluate('JSON.stringify(require("Storage").readJSON("vigil.json"))')).toBe(JSON.stringify({ id: out.deviceId, key: record.key, rep: [3] }));
    board.reboot();
    const onAir = () => decodeUplink(parseAdvert(board.advert!.bytes).manufacturerData!, (id) => (id === parseDeviceId(out.deviceId) ? { key: fromHex(record.key)! } : undefined));
    clock.advance(200);
    // the new identity's counter starts again from 0, sealed with the new key
    expect(onAir()).toMatchObject({ ok: true, frame: { counter: 0 } });
    board.press('BTN', 2300); // SOS is a 2 s hold (docs/firmware.md)
    clock.advance(2500);
    expect(onAir()).toMatchObject({ ok: true, frame: { type: 'sos' } });
  });

  it('prints the line for humans too, via --config, and lists devices without their keys', () => {
    const r = vigil('device', 'add', '--board', 'bangle2', '--worker', 'w1', '--config', join(dir, 'centre.yaml'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Device [0-9a-f]{8} provisioned: board bangle2, worker w1 \(Wendy Worker\), site site-a\./);
    expect(r.stdout).toContain('require("Storage").writeJSON("vigil.json"');
    expect(r.stdout).toContain('picks the new device up by itself');
    const list = vigil('device', 'list', '--data', dir, '--json');
    const rows = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    expect(rows.every((d) => !('key' in d))).toBe(true);
    expect(vigil('device', 'list', '--data', dir).stdout).toMatch(/^device\s+board\s+worker/);
  });

  it('exits 2 with a clear message for an unknown worker, a missing database or a wrong board', () => {
    const unknown = vigil('device', 'add', '--board', 'puckjs', '--worker', 'nobody', '--data', dir);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown worker 'nobody'");
    const missing = vigil('device', 'add', '--board', 'puckjs', '--worker', 'w1', '--data', join(dir, 'typo'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('No centre database at');
    const board = vigil('device', 'add', '--board', 'nokia', '--worker', 'w1', '--data', dir);
    expect(board.status).toBe(2);
    expect(board.stderr).toContain('--board must be one of puckjs, bangle2, lora');
  });
});
