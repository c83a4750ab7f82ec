/**
 * The stand-in's memory model against the real interpreter (fixtures recorded by
 * firmware/check/record.ts and `make check-espruino --record`):
 * - every snippet costs what the real interpreter spent on it, run from flash;
 * - the built firmware, replayed through the moments the release check measured (unprovisioned,
 *   protected, an SOS with repeats, the centre's answers, a check-in, two settings from the centre), is counted within 10 % of the
 *   real interpreter's process.memory().usage, on the exact build that was measured;
 * - the firmware built now stays under 60 % of each board's variables at its peak.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../../common/clock';
import { FIXTURE_DIR } from '../../firmware/check/probes';
import { FIRMWARE_BOARDS, type FirmwareBoard, loadDist } from '../../firmware/tools/build';
import { decodeUplink, encodeDownlink, fromHex, GATT_DOWNLINK_UUID, GATT_SERVICE_UUID, type SettingName, type UplinkMessage } from '../../protocol/src';
import { parseAdvert } from '../../simulator/src/espruino/advert';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { countJsVars } from '../../simulator/src/espruino/memory';
import { loraModemOf, PROFILES } from '../../simulator/src/espruino/profiles';
import { toBytes } from '../../simulator/src/espruino/storage';

interface Snippets {
  interpreter: string;
  snippets: Record<string, { code: string; vars: number }>;
}
interface Measured {
  interpreter: string;
  settings: Record<string, unknown>;
  usage: Record<string, number>;
}

const snippets = JSON.parse(readFileSync(join(FIXTURE_DIR, 'memory-snippets.puck.json'), 'utf8')) as Snippets;
const measured = JSON.parse(readFileSync(join(FIXTURE_DIR, 'memory.json'), 'utf8')) as Record<FirmwareBoard, Measured>;

describe(`each snippet costs what ${snippets.interpreter} spent on it`, () => {
  it.each(Object.entries(snippets.snippets))('%s', (_name, { code, vars }) => {
    const board = new VirtualBoard({ board: 'puckjs', clock: new VirtualClock() });
    board.boot(code);
    expect(board.errors).toEqual([]);
    // within one variable: the first use of E and of a module's class cost one more or one less than
    // the model's flat figures (E.on 8, E.clip 4; require("Storage") 7, require("crypto").AES 8)
    expect(Math.abs(countJsVars(board).total - vars)).toBeLessThanOrEqual(1);
  });
});

/** A pendant in the stand-in going through the moments `make check-espruino` measures. */
function moments(boardName: FirmwareBoard, code: string, settings: Record<string, unknown>, withSettings: boolean): Record<string, number> {
  const clock = new VirtualClock();
  const board = new VirtualBoard({ board: boardName, clock, batteryPct: 90 });
  const key = fromHex(String(settings['key']))!;
  const id = parseInt(String(settings['id']), 16);
  const frames: UplinkMessage[] = [];
  const record = (bytes: Uint8Array): void => {
    const r = decodeUplink(bytes, () => ({ key, lastCounter: frames[frames.length - 1]?.counter }));
    if (r.ok && !frames.some((f) => f.counter === r.frame.counter)) frames.push(r.frame);
  };
  board.on('advertising', (a) => a?.packets.forEach((p) => {
    const m = parseAdvert(p).manufacturerData;
    if (m) record(m);
  }));
  const attachModem = (): void => {
    const modem = loraModemOf(board);
    if (modem) modem.link = { transmit: (bytes) => record(bytes) };
  };
  // what the check harness's stand-ins themselves bring to life (E.getBattery) is in its baseline
  const count = (): number => countJsVars(board, { builtinsAlreadyUsed: ['E'] }).total;
  const run = (ms: number): void => {
    for (let t = 0; t < ms; t += 20) clock.advance(20);
  };
  const press = (ms: number): void => {
    board.press('BTN', ms);
    run(ms + 100);
  };
  const downlink = (command: 'received' | 'help_coming' | 'closed' | 'check_in_request' | 'setting', counter: number, param = 0, setting?: SettingName): void => {
    const bytes = encodeDownlink({ deviceId: id, counter, command, param, ...(setting ? { setting } : {}) }, key);
    const modem = loraModemOf(board);
    if (!modem) return void board.gattWrite(GATT_SERVICE_UUID, GATT_DOWNLINK_UUID, bytes);
    for (let i = 0; i < 3000 && modem.state !== 'rx'; i++) clock.advance(20);
    modem.receive(bytes, -60, 8);
    run(200);
  };
  const out: Record<string, number> = {};
  board.boot(code);
  attachModem();
  run(1500);
  out['unprovisioned'] = count();
  board.flash.files.set('vigil.json', toBytes(JSON.stringify(settings)));
  board.reboot();
  attachModem();
  run(1500);
  out['protected'] = count();
  for (let i = 0; i < 2; i++) {
    for (let k = 0; k < 3; k++) {
      press(80);
      run(220);
    }
    run(1000);
  }
  press(2500);
  for (let i = 0; i < 100 && !frames.some((f) => f.type === 'sos'); i++) run(200); // LoRa: after the receive window
  const sos = frames.find((f) => f.type === 'sos')!;
  run(7000);
  out['alarm'] = count();
  downlink('received', sos.counter);
  downlink('help_coming', sos.counter);
  out['downlink'] = count();
  downlink('closed', sos.counter);
  run(12_000);
  downlink('check_in_request', frames[frames.length - 1]!.counter, 60);
  run(500);
  press(100);
  run(500);
  out['check-in'] = count();
  if (!withSettings) {
    expect(board.errors).toEqual([]);
    return out; // a build from before remote settings (firmware 1.1)
  }
  // two settings from the centre, the second answering the first one's acknowledgement (as the check does)
  downlink('setting', frames[frames.length - 1]!.counter, 8, 'tiltS');
  for (let i = 0; i < 100 && !frames.some((f) => f.type === 'setting'); i++) run(200);
  downlink('setting', frames.filter((f) => f.type === 'setting').at(-1)!.counter, 4, 'sens');
  for (let i = 0; i < 100 && frames.filter((f) => f.type === 'setting').length < 2; i++) run(200);
  expect(frames.filter((f) => f.type === 'setting')).toHaveLength(2);
  out['settings'] = count();
  expect(board.errors).toEqual([]);
  return out;
}

describe('the built firmware counted in the stand-in and measured in the real interpreter', () => {
  it.each(FIRMWARE_BOARDS.filter((b) => measured[b]))('%s: within 10 % at every moment', (board) => {
    const m = measured[board];
    const code = readFileSync(join(FIXTURE_DIR, 'memory', `${board}.js`), 'latin1');
    const got = moments(board, code, m.settings, 'settings' in m.usage);
    const report = Object.entries(m.usage).map(([k, real]) => `${k}: real ${real}, stand-in ${got[k]} (${(((got[k]! - real) / real) * 100).toFixed(1)} %)`);
    console.log(`${board} (${m.interpreter}):\n  ${report.join('\n  ')}`);
    for (const [k, real] of Object.entries(m.usage)) expect({ moment: k, ratio: Math.abs(got[k]! - real) / real <= 0.1 }).toEqual({ moment: k, ratio: true });
  });

  it.each([...FIRMWARE_BOARDS])('%s built now: its peak stays under 60 % of the board\'s variables', (board) => {
    const got = moments(board, loadDist(board), measured.puckjs.settings, true);
    const peak = Math.max(...Object.values(got));
    const limit = 0.6 * PROFILES[board].jsVars;
    console.log(`${board}: peak ${peak} of ${PROFILES[board].jsVars} variables (${((peak / PROFILES[board].jsVars) * 100).toFixed(0)} %)`);
    expect(peak).toBeLessThan(limit);
  });
});
