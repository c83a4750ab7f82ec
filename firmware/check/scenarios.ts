/**
 * What `make check-espruino` puts each pendant through, in order, on one flash (check-espruino.ts).
 * Each step returns a line for the report or throws with what went wrong.
 */
import { SETTING_COMMAND_BASE, settingByName, SETTINGS, type SettingName, settingsHash } from '../../protocol/src';
import type { Trace, TrialRow } from '../../simulator/src/trace';
import type { FirmwareBoard } from '../tools/build';
import type { Frame, RealPendant } from './pendant';

export interface ScenarioContext {
  pendant: RealPendant;
  board: FirmwareBoard;
  settings: Record<string, unknown>;
  /** Variables in use at named moments (process.memory().usage), filled in as the steps go. */
  memory: Record<string, number>;
  /** A recorded fall at the board's rate, then 25 s lying where it ended: [x, y, z] in g. */
  fall: [number, number, number][];
  /** 5 s upright, then lying still. */
  lying: [number, number, number][];
}

export interface Scenario {
  name: string;
  needsFalls?: boolean;
  run(c: ScenarioContext): Promise<string>;
}

const UPRIGHT: [number, number, number] = [0, -1, 0.02];
const LYING: [number, number, number] = [0.02, 0, 1];

export function lyingSamples(hz: number, seconds: number): [number, number, number][] {
  return Array.from({ length: Math.round((5 + seconds) * hz) }, (_, i) => (i < 5 * hz ? UPRIGHT : LYING));
}

/** SisFall SA02 F05 (a forward fall), resampled, then its last posture held 25 s. */
export function fallSamples(rows: TrialRow[], read: (file: string) => Trace, resample: (t: Trace, hz: number) => Trace, hz: number): [number, number, number][] {
  const row = rows.find((r) => r.dataset === 'SisFall' && r.subject === 'SA02' && r.activity === 'F05' && r.trial === 1);
  if (!row) return [];
  const t = resample(read(row.file), hz);
  const out: [number, number, number][] = [];
  for (let i = 0; i < t.x.length; i++) out.push([t.x[i]!, t.y[i]!, t.z[i]!]);
  for (let i = 0; i < 25 * hz; i++) out.push(out[out.length - 1]!);
  return out;
}

/** Samples as the Storage file VT.play reads: int16 big-endian, 8192 per g, x y z. */
function traceFile(samples: [number, number, number][]): string {
  let s = '';
  for (const v of samples) for (const a of v) {
    const n = Math.max(-32768, Math.min(32767, Math.round(a * 8192))) & 0xffff;
    s += String.fromCharCode(n >> 8, n & 255);
  }
  return s;
}

/** The Storage files the scenarios replay, written when the pendant is flashed. */
export function traceFiles(fall: [number, number, number][], lying: [number, number, number][]): Record<string, string> {
  // tr.up: 3 s upright at 26 Hz (the Bangle's 25 Hz plays it a little slower), so a step starts from an upright wearer
  const files: Record<string, string> = { 'tr.lying': traceFile(lying), 'tr.up': traceFile(Array.from({ length: 78 }, () => UPRIGHT)) };
  if (fall.length) files['tr.fall'] = traceFile(fall);
  return files;
}

async function play(c: ScenarioContext, file: 'tr.fall' | 'tr.lying' | 'tr.up'): Promise<void> {
  await c.pendant.it!.run(`VT.play("${file}", ${c.board === 'bangle2' ? 25 : 26})`);
}

const at = (c: ScenarioContext): number => c.pendant.frames.length;
const type = (t: string) => (f: Frame): boolean => f.type === t;

async function remember(c: ScenarioContext, moment: string): Promise<void> {
  c.memory[moment] = await c.pendant.memory();
}

/** The remote settings the pendant holds, on the wire (the settings hash's input, SPEC §4.2.2). */
async function heldSettings(c: ScenarioContext): Promise<Record<SettingName, number>> {
  const held = await c.pendant.it!.evaluate<number[]>('VS.t()[0].map(function (k) { return Math.round(VSet[k] * VS.d(k)); })');
  return Object.fromEntries(SETTINGS.map((x, i) => [x.name, held?.[i] ?? NaN])) as Record<SettingName, number>;
}

/** Three presses within 0.6 s of each other: protection on/off. */
async function triple(c: ScenarioContext): Promise<void> {
  await c.pendant.it!.run('VT.press(80);setTimeout(function(){VT.press(80);},300);setTimeout(function(){VT.press(80);},600);');
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'boots unprovisioned without an error, says so, sends nothing',
    run: async (c) => {
      await c.pendant.powerOn();
      const it = c.pendant.it!;
      const signal = c.board === 'bangle2' ? (p: { kind: string; value: unknown }) => p.kind === 'screen' && JSON.stringify(p.value).includes('Not provisioned') : (p: { kind: string; value: unknown }) => p.kind === 'pulse' && JSON.stringify(p.value) === '["D1",1,[300,150,300,150,300,150,300]]';
      await it.waitFor(signal, 10_000, 'the "not provisioned" signal at boot');
      const from = it.printed.length;
      await it.run('VT.press(100)');
      await it.waitFor(signal, 5000, 'the "not provisioned" signal on a press', from);
      await remember(c, 'unprovisioned');
      if (c.pendant.frames.length) throw new Error(`it sent ${c.pendant.frames.length} frames`);
      return 'signal shown at boot and on a press, no frame';
    },
  },
  {
    name: 'provisioned from the console, boots protected with a heartbeat',
    run: async (c) => {
      await c.pendant.it!.run(`require("Storage").writeJSON("vigil.json",${JSON.stringify(c.settings)})`);
      c.pendant.identity(String(c.settings['id']), String(c.settings['key']));
      await c.pendant.reboot();
      const hb = await c.pendant.frame(type('heartbeat'), 15_000, 'a heartbeat after provisioning');
      await remember(c, 'protected');
      const expected = settingsHash(await heldSettings(c));
      if (hb.msg.device?.firmware !== '1.1' || hb.msg.device.settingsHash !== expected) throw new Error(`the boot heartbeat reports ${JSON.stringify(hb.msg.device)}, not firmware 1.1 and hash ${expected}`);
      return `heartbeat counter ${hb.msg.counter}, battery ${hb.msg.batteryPct} %, protection ${hb.msg.flags.protection}, firmware ${hb.msg.device.firmware}, settings hash ${expected}`;
    },
  },
  {
    name: 'protection off and on with three presses',
    run: async (c) => {
      const from = at(c);
      await triple(c);
      await c.pendant.frame(type('protection_off'), 10_000, 'protection_off', from);
      await triple(c);
      await c.pendant.frame(type('protection_on'), 10_000, 'protection_on', from);
      return 'protection_off, protection_on';
    },
  },
  {
    name: 'SOS hold, repeated until the centre has it, closed',
    run: async (c) => {
      const from = at(c);
      await c.pendant.it!.run('VT.press(2500)');
      const sos = await c.pendant.frame(type('sos'), 10_000, 'an SOS frame', from);
      await c.pendant.frame((f) => f.type === 'sos' && f.msg.detail === 2, 15_000, 'the SOS repeated twice', from);
      await remember(c, 'alarm');
      await c.pendant.downlink(sos.msg.counter, 1); // received
      await c.pendant.downlink(sos.msg.counter, 2); // help coming
      await remember(c, 'downlink');
      await c.pendant.downlink(sos.msg.counter, 3); // closed
      const n = c.pendant.frames.filter((f) => f.type === 'sos').length;
      await c.pendant.frame(type('heartbeat'), 15_000, 'a heartbeat after the SOS was closed', at(c));
      const after = c.pendant.frames.filter((f) => f.type === 'sos').length;
      if (after !== n) throw new Error('the SOS was repeated after it was closed');
      return `sos counter ${sos.msg.counter}, ${n} frames, received/help coming/closed answered`;
    },
  },
  {
    name: 'check-in request answered with a press',
    run: async (c) => {
      const from = at(c);
      const last = c.pendant.frames[c.pendant.frames.length - 1]!;
      await c.pendant.downlink(last.msg.counter, 4, 60);
      await c.pendant.it!.run('setTimeout(function(){VT.press(100);},500)');
      await c.pendant.frame(type('check_in'), 10_000, 'a check_in frame', from);
      await remember(c, 'check-in');
      return 'check_in sent';
    },
  },
  {
    name: 'a recorded fall (SisFall SA02 F05) replayed in real time: pre-alarm, then the fall alarm',
    needsFalls: true,
    run: async (c) => {
      const from = at(c);
      const printed = c.pendant.it!.printed.length;
      await play(c, 'tr.fall');
      const pre = await c.pendant.frame(type('pre_alarm'), 40_000, 'a pre_alarm for the fall', from);
      const fall = await c.pendant.frame(type('fall'), 30_000, 'the fall alarm after the cancel window', from);
      await c.pendant.downlink(fall.msg.counter, 3);
      await c.pendant.it!.waitFor((p) => p.kind === 'played', 60_000, 'the end of the trace', printed);
      return `pre_alarm detail ${pre.msg.detail}, fall ${((fall.atMs - pre.atMs) / 1000).toFixed(1)} s later, closed`;
    },
  },
  {
    name: 'settings from the centre: each saved, applied without a reboot and acknowledged with the new hash',
    run: async (c) => {
      const it = c.pendant.it!;
      const out: string[] = [];
      // The wearer stands up first: the fall step left them lying, and a man-down count past the new
      // tiltS would fire at once (as it should on a pendant), not in the man-down step.
      const printed = it.printed.length;
      await play(c, 'tr.up');
      await it.waitFor((p) => p.kind === 'played', 10_000, 'the end of the upright trace', printed);
      let answer = c.pendant.frames[c.pendant.frames.length - 1]!.msg.counter;
      // man-down after 8 s instead of 10 (the man-down step below then runs on it), fall sensitivity 4
      for (const [name, wire] of [['tiltS', 8], ['sens', 4]] as const) {
        const from = at(c);
        const id = settingByName(name)!.id;
        await c.pendant.downlink(answer, SETTING_COMMAND_BASE + id, wire);
        const ack = await c.pendant.frame((f) => f.type === 'setting' && f.msg.detail === id, 20_000, `the acknowledgement of ${name}`, from);
        if (ack.msg.ref !== answer) throw new Error(`the acknowledgement of ${name} answers ${ack.msg.ref}, not ${answer}`);
        const values = await heldSettings(c);
        if (values[name] !== wire) throw new Error(`${name} is ${values[name]} after the change, not ${wire}`);
        if (ack.msg.device?.settingsHash !== settingsHash(values)) throw new Error(`the acknowledged hash ${ack.msg.device?.settingsHash} is not the hash of what the pendant holds, ${settingsHash(values)}`);
        out.push(`${name} ${wire} acknowledged (hash ${ack.msg.device.settingsHash}, firmware ${ack.msg.device.firmware})`);
        answer = ack.msg.counter;
      }
      const saved = await it.evaluate<Record<string, number>>('require("Storage").readJSON("vigil.set")');
      if (saved?.['tiltS'] !== 8 || saved['sens'] !== 4) throw new Error(`vigil.set holds ${JSON.stringify(saved)}`);
      await remember(c, 'settings');
      return out.join(', ');
    },
  },
  {
    name: 'man-down: lying still raises a pre-alarm after the tiltS set over the air, a press cancels it',
    run: async (c) => {
      const it = c.pendant.it!;
      const from = at(c);
      const printed = it.printed.length;
      await play(c, 'tr.lying');
      const lyingAtMs = it.printed.filter((p) => p.kind === 'ack').at(-1)!.atMs + 5000; // 5 s upright first
      const pre = await c.pendant.frame((f) => f.type === 'pre_alarm' && f.msg.detail === 4, 30_000, 'a man-down pre_alarm', from);
      if (pre.atMs < lyingAtMs) throw new Error(`a man-down pre_alarm came ${((lyingAtMs - pre.atMs) / 1000).toFixed(1)} s before lying down`);
      // tiltS is 8 s since the settings step (10 in the flashed settings): applied without a reboot
      const afterS = (pre.atMs - lyingAtMs) / 1000;
      if (afterS > 9.7) throw new Error(`the man-down came ${afterS.toFixed(1)} s after lying down: the tiltS of 8 s set over the air is not in force`);
      await it.run('VT.press(100)');
      const cancel = await c.pendant.frame((f) => f.type === 'cancel' && f.msg.ref === pre.msg.counter, 10_000, 'the cancel of that pre_alarm', from);
      await it.waitFor((p) => p.kind === 'played', 60_000, 'the end of the trace', printed);
      return `pre_alarm counter ${pre.msg.counter} ${afterS.toFixed(1)} s after lying down, cancel counter ${cancel.msg.counter}`;
    },
  },
  {
    name: 'reboot in the middle of an SOS: the alarm resumes, the counter keeps rising',
    run: async (c) => {
      const from = at(c);
      await c.pendant.it!.run('VT.press(2500)');
      const sos = await c.pendant.frame(type('sos'), 10_000, 'an SOS frame', from);
      const before = Math.max(...c.pendant.frames.map((f) => f.msg.counter));
      await c.pendant.reboot();
      const again = await c.pendant.frame((f) => f.type === 'sos' && f.msg.counter > before, 20_000, 'the SOS resumed after the reboot', from);
      if (again.msg.ref !== sos.msg.ref) throw new Error(`the resumed SOS has ref ${again.msg.ref}, not ${sos.msg.ref}; frames: ${c.pendant.frames.slice(from).map((f) => `${f.type}:${f.msg.counter}:${f.msg.ref}`).join(' ')}`);
      const kept = await c.pendant.it!.evaluate<number>('VSet.tiltS');
      if (kept !== 8) throw new Error(`the setting changed over the air was lost in the reboot (tiltS ${kept})`);
      await c.pendant.downlink(again.msg.counter, 3);
      return `counter ${before} before the reboot, ${again.msg.counter} after, same incident (ref ${sos.msg.ref})`;
    },
  },
];
