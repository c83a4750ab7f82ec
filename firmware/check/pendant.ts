/**
 * A pendant running the built firmware in the real Espruino interpreter (a Linux build; not in CI),
 * with only the board's hardware stood in for (hw-*.js, saved as Storage ".boot0"). Loaded the way
 * `make flash` loads it: pretokenised by the `espruino` tool and written to Storage ".bootcde" in
 * 1 KB chunks as its SAVE_ON_SEND=1 does, so the program runs from flash. A power cycle is a new
 * process on the same flash file. Frames the pendant puts on air are decoded with the protocol package.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeUplink, fromHex, sealDownlink, type UplinkMessage } from '../../protocol/src';
import type { FirmwareBoard } from '../tools/build';
import { Interpreter, type Printed, runOnce, storageUploadCommands } from './interpreter';

const HW: Record<FirmwareBoard, string[]> = { puckjs: ['hw-puck.js'], lora: ['hw-puck.js', 'hw-lora.js'], bangle2: ['hw-bangle.js'] };
const ESPRUINO_TOOL = 'espruino@0.1.67';

/** The firmware as `make flash` uploads it: pretokenised by the espruino tool (PRETOKENISE=2). */
export function pretokenise(code: string): { code: string; tokenised: boolean } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tok-'));
  try {
    writeFileSync(join(dir, 'in.js'), code, 'latin1');
    execFileSync('npx', ['--yes', ESPRUINO_TOOL, '-n', '--config', 'PRETOKENISE=2', '-o', join(dir, 'out.js'), join(dir, 'in.js')], { stdio: 'ignore', timeout: 120_000 });
    return { code: readFileSync(join(dir, 'out.js'), 'latin1'), tokenised: true };
  } catch {
    return { code, tokenised: false };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Frame {
  atMs: number;
  hex: string;
  msg: UplinkMessage;
  type: string;
}

export class RealPendant {
  it: Interpreter | undefined;
  readonly frames: Frame[] = [];
  private readonly seen = new Set<string>();
  private lastCounter: number | undefined;

  private constructor(readonly binary: string, readonly board: FirmwareBoard, readonly dir: string, private deviceId: number, private key: Uint8Array) {}

  /** The id and key the frames are decoded with (after provisioning from the console). */
  identity(id: string, key: string): void {
    this.deviceId = parseInt(id, 16);
    this.key = fromHex(key)!;
  }

  /** A fresh flash with the hardware stand-ins, optional settings and (unless code is undefined) the firmware. */
  static async flash(opts: { binary: string; board: FirmwareBoard; code: string | undefined; settings?: Record<string, unknown>; files?: Record<string, string> }): Promise<RealPendant> {
    const dir = mkdtempSync(join(tmpdir(), `vigil-real-${opts.board}-`));
    const id = typeof opts.settings?.['id'] === 'string' ? parseInt(opts.settings['id'], 16) : 0;
    const key = fromHex(typeof opts.settings?.['key'] === 'string' ? opts.settings['key'] : '') ?? new Uint8Array(16);
    const p = new RealPendant(opts.binary, opts.board, dir, id, key);
    const files: Record<string, string> = { '.boot0': HW[opts.board].map((f) => readFileSync(join(__dirname, f), 'latin1')).join('\n'), ...opts.files };
    if (opts.code !== undefined) files['.bootcde'] = opts.code;
    // Each file is uploaded under a temporary name, then all are copied flash to flash at once, so
    // that no interpreter started meanwhile runs a half-written boot file.
    const names = Object.keys(files);
    for (const [i, name] of names.entries()) for (const c of storageUploadCommands(`vigil.up${i}`, files[name]!, 1024, true)) await runOnce(opts.binary, dir, c);
    if (opts.settings) await runOnce(opts.binary, dir, `require("Storage").writeJSON("vigil.json",${JSON.stringify(opts.settings)})`);
    await runOnce(opts.binary, dir, 'var S=require("Storage");' + names.map((name, i) => `S.write(${JSON.stringify(name)},S.read("vigil.up${i}"));S.erase("vigil.up${i}");`).join(''));
    return p;
  }

  /** Power on: the interpreter starts, runs .boot0 then .bootcde, then its console answers. */
  async powerOn(): Promise<void> {
    const it = Interpreter.start(this.binary, this.dir);
    this.it = it;
    it.on('printed', (p) => this.onPrinted(p));
    await it.send('echo(0)');
    await it.run('1');
  }

  async powerOff(): Promise<void> {
    await this.it?.stop();
  }

  async reboot(): Promise<void> {
    await this.powerOff();
    await this.powerOn();
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private onPrinted(p: Printed): void {
    const hexes = p.kind === 'adv' ? (p.value as { d: unknown[] }).d.filter((x): x is string => typeof x === 'string').map((h) => h.slice(14)) : p.kind === 'lora' ? [String(p.value)] : [];
    for (const hex of hexes) {
      if (hex.length !== 48 || this.seen.has(hex)) continue;
      this.seen.add(hex);
      const bytes = fromHex(hex)!;
      const r = decodeUplink(bytes, () => ({ key: this.key, lastCounter: this.lastCounter }));
      if (!r.ok) throw new Error(`a frame the protocol package refuses (${r.code}: ${r.detail}): ${hex}`);
      this.lastCounter = r.frame.counter;
      this.frames.push({ atMs: p.atMs, hex, msg: r.frame, type: r.frame.type });
    }
  }

  /** Waits for the next frame (from `from` on) that matches. */
  async frame(match: (f: Frame) => boolean, timeoutMs: number, what: string, from = 0): Promise<Frame> {
    const have = this.frames.slice(from).find(match);
    if (have) return have;
    await this.it!.waitFor(() => this.frames.slice(from).some(match), timeoutMs, what);
    return this.frames.slice(from).find(match)!;
  }

  /**
   * A downlink answering `counter`, written over GATT (BLE boards), or on LoRa handed over in the
   * receive window after the pendant's next uplink (waited for: up to the 30 s slow repeat).
   */
  async downlink(counter: number, command: number, param = 0): Promise<void> {
    const hex = Buffer.from(sealDownlink(this.deviceId, counter, command, param, this.key)).toString('hex');
    if (this.board !== 'lora') return this.it!.run(`VT.gatt("${hex}")`);
    const from = this.it!.printed.length;
    await this.it!.run(`VT.down("${hex}")`);
    await this.it!.waitFor((p) => p.kind === 'dl' && p.value === hex, 45_000, `the LoRa receive window for ${hex}`, from);
  }

  /** The interpreter's variables in use now (process.memory() collects garbage first). */
  async memory(): Promise<number> {
    return (await this.it!.evaluate<number>('process.memory().usage')) ?? NaN;
  }

  get errors(): string[] {
    return this.it?.errors ?? [];
  }
}
