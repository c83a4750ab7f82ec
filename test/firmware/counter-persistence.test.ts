/**
 * "A nonce is never reused" (SPEC §3.4): the shipped counter.js runs in the stand-in on one Flash that
 * survives reboots. Power is cut right after every single Storage mutation (including between the two
 * of a file rotation), at random points, and with torn records; every counter ever returned must be
 * unique and above every earlier one. Also measures flash wear per 10,000 frames.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../../common/clock';
import { compact, SRC_DIR } from '../../firmware/tools/build';
import { mulberry32 } from '../../simulator/src/random';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { Flash } from '../../simulator/src/espruino/storage';

const CODE = compact(readFileSync(join(SRC_DIR, 'lib', 'counter.js'), 'utf8'), 'counter.js');
const BLOCK = 256;
const RECORDS_PER_FILE = 64;

class PowerCut extends Error {}

/** Counts Storage mutations on a Flash (writes and erases) and cuts the power right after the n-th. */
class PowerSwitch {
  mutations = 0;
  cutAfter = Infinity;

  constructor(readonly flash: Flash) {
    let bytes = flash.bytesWritten;
    // Every write, in place or as a new file, ends by adding to bytesWritten (storage.ts).
    Object.defineProperty(flash, 'bytesWritten', {
      configurable: true,
      get: () => bytes,
      set: (v: number) => {
        bytes = v;
        this.mutated();
      },
    });
    const del = flash.files.delete.bind(flash.files);
    flash.files.delete = (name: string): boolean => {
      const had = del(name);
      if (had) this.mutated();
      return had;
    };
  }

  private mutated(): void {
    this.mutations++;
    if (this.mutations === this.cutAfter) throw new PowerCut(`power cut after mutation ${this.mutations}`);
  }
}

interface Pendant {
  board: VirtualBoard;
  power: PowerSwitch;
  sent: number[];
  reboots: number;
}

function pendant(board: 'puckjs' | 'bangle2' = 'puckjs'): Pendant {
  const flash = new Flash();
  const power = new PowerSwitch(flash);
  const b = new VirtualBoard({ board, clock: new VirtualClock(), flash });
  b.boot(CODE, 'counter.js');
  expect(b.errors).toEqual([]);
  return { board: b, power, sent: [], reboots: 0 };
}

/** Sends up to `n` frames; stops early at a power cut. Returns whether the power was cut. */
function send(p: Pendant, n: number): boolean {
  p.board.evaluate('var out = []');
  let cut = false;
  try {
    p.board.evaluate(`for (var i = 0; i < ${n}; i++) out.push(VCtr.next())`);
  } catch (e) {
    if (!(e instanceof PowerCut)) throw e;
    cut = true;
  }
  // Frames whose next() returned went on air; the one interrupted by the cut never did.
  for (const c of p.board.evaluate('out') as number[]) p.sent.push(c);
  return cut;
}

function reboot(p: Pendant): void {
  p.power.cutAfter = Infinity;
  p.board.reboot();
  p.reboots++;
  expect(p.board.errors).toEqual([]);
}

function expectStrictlyIncreasing(sent: number[]): void {
  for (let i = 1; i < sent.length; i++) {
    if (sent[i]! <= sent[i - 1]!) throw new Error(`counter ${sent[i]} after ${sent[i - 1]} (frame ${i}): a nonce would be reused`);
  }
}

describe('pendant counter persistence (counter.js)', () => {
  it('never reuses a counter when the power is cut right after any Storage mutation', () => {
    // 2 files' worth of records and more: the cut lands on every record write, every file creation, and
    // between a rotation's "start the other file" and "erase this one".
    const points = 2 * RECORDS_PER_FILE + 6;
    for (let k = 1; k <= points; k++) {
      const p = pendant();
      p.power.cutAfter = p.power.mutations + k;
      const cut = send(p, (k + 1) * BLOCK);
      expect(cut).toBe(true);
      const before = p.sent.at(-1) ?? -1;
      reboot(p);
      send(p, BLOCK + 1);
      expectStrictlyIncreasing(p.sent);
      expect(p.sent.at(-1)! - before).toBeLessThanOrEqual(2 * BLOCK + 1);
    }
  });

  it('keeps both files after a cut between the two steps of a rotation, and continues from the newer', () => {
    const p = pendant();
    // Mutation 1 creates vctr0; 2..64 fill it; 65 starts vctr1; 66 erases vctr0.
    p.power.cutAfter = RECORDS_PER_FILE + 1;
    send(p, 100 * BLOCK);
    expect([...p.board.flash.files.keys()].filter((n) => n.startsWith('vctr')).sort()).toEqual(['vctr0', 'vctr1']);
    reboot(p);
    send(p, 3 * BLOCK);
    expectStrictlyIncreasing(p.sent);
    expect(p.board.flash.files.has('vctr0')).toBe(true); // replaced at the next rotation, not before
  });

  it('never reuses a counter across 400 random cuts and clean reboots (seeded)', () => {
    const rnd = mulberry32(20240603);
    const p = pendant();
    for (let i = 0; i < 400; i++) {
      if (rnd() < 0.5) p.power.cutAfter = p.power.mutations + 1 + Math.floor(rnd() * 3);
      send(p, Math.floor(rnd() * 3 * BLOCK));
      reboot(p);
    }
    expectStrictlyIncreasing(p.sent);
    expect(p.sent.length).toBeGreaterThan(100_000);
  });

  it('never goes back after a torn record write (flash bits left at 1)', () => {
    const rnd = mulberry32(7);
    for (let trial = 0; trial < 50; trial++) {
      const p = pendant();
      send(p, Math.floor(rnd() * 20 * BLOCK) + 1);
      // Programming clears bits; an interrupted write leaves some of the last record's bits set.
      const name = p.board.flash.files.has('vctr1') && !p.board.flash.files.has('vctr0') ? 'vctr1' : 'vctr0';
      const file = p.board.flash.files.get(name)!;
      let last = 0;
      while ((last + 1) * 4 < file.length && file[(last + 1) * 4] !== 0xff) last++;
      for (let i = 0; i < 4; i++) file[last * 4 + i]! |= Math.floor(rnd() * 256) & (i === 0 ? 0x7f : 0xff);
      reboot(p);
      send(p, 10);
      expectStrictlyIncreasing(p.sent);
    }
  });

  it.each(['puckjs', 'bangle2'] as const)('wears the flash little on %s: writes per 10,000 frames', (board) => {
    const p = pendant(board);
    const frames = 200_000;
    const bytes0 = p.board.flash.bytesWritten;
    send(p, frames);
    expect(p.sent.length).toBe(frames);
    expect(p.sent[frames - 1]).toBe(frames - 1); // no counter skipped without a reboot
    const per10k = (v: number) => Math.round((v * 10_000) / frames);
    const wear = { storageOpsPer10k: per10k(p.power.mutations), bytesWrittenPer10k: per10k(p.board.flash.bytesWritten - bytes0), garbageBytesPer10k: per10k(p.board.flash.garbageBytes) };
    // One 4-byte record per 256 frames, a 256-byte file and an erase per 64 records (SPEC §3.4).
    expect(wear.storageOpsPer10k).toBeLessThanOrEqual(41);
    expect(wear.bytesWrittenPer10k).toBeLessThanOrEqual(400);
    console.log(`counter flash wear on ${board}: ${JSON.stringify(wear)}`);
  });
});
