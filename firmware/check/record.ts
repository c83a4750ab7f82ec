/**
 * Records the conformance fixtures from a real Espruino interpreter (not run in CI: CI has none):
 *
 *   npx tsx firmware/check/record.ts --puck <Linux build, Puck.js layout> --bangle <Linux build, Bangle.js 2 layout>
 *
 * Each probe runs as a program file in a fresh directory (its own flash); the lines it prints are
 * written to fixtures/probes/<probe>.<layout>.txt under a header naming the interpreter. The builds are
 * the developer's own, made from Espruino's public source (docs/firmware.md "The real interpreter");
 * nothing of them enters the project but these printed lines.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runOnce, storageUploadCommands } from './interpreter';
import { fixturePath, type Layout, listProbes, probeOutput } from './probes';

/** Runs a program file to its end (the Linux build exits when no timer is left); stdin kept open. */
export function runFile(binary: string, code: string, timeoutMs = 30_000): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-espruino-'));
  writeFileSync(join(dir, 'probe.js'), code, 'latin1');
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['probe.js'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('latin1').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('latin1').on('data', (c: string) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve(out.split('\n'));
    });
  });
}

/**
 * What the interpreter says it is: version, variables, block size, libraries present, and what a
 * string read from Storage costs (1 variable on a device, whose flash the string stays in).
 */
export async function describe(binary: string): Promise<string> {
  const lines = await runFile(binary, 'var m=process.memory(),S=require("Storage");S.write("vigil.sz",new Array(201).join("a"));print("@@begin");print(process.env.VERSION+" "+m.total+" variables of "+m.blocksize+" bytes; AES "+(typeof require("crypto").AES)+", AES.ccmEncrypt "+(typeof AES=="undefined"?"undefined":typeof AES.ccmEncrypt)+"; Storage.read of 200 bytes "+E.getSizeOf(S.read("vigil.sz"))+" variables");print("@@end");');
  return probeOutput(lines).join(' ');
}

/**
 * Refuses a build that copies what it reads from Storage into RAM: built without flash strings
 * (SPIFLASH_BASE, docs/firmware.md), the Linux build keeps every function of the firmware in RAM,
 * unlike a Puck.js or a Bangle.js 2, and its memory figures are not a pendant's.
 */
export function assertFlashReads(what: string): void {
  const m = /Storage\.read of 200 bytes (\d+) variables/.exec(what);
  if (!m || Number(m[1]) > 2) throw new Error(`${what}: this build copies Storage reads into RAM (a device keeps them in flash); build it with flash strings, -DSPIFLASH_BASE=0 -DSPIFLASH_LENGTH=FLASH_SAVED_CODE_LENGTH (docs/firmware.md "The real interpreter")`);
}

/**
 * Variables each memory snippet (probes/memory-snippets.json) costs when it runs from flash as
 * `.bootcde`, as `make flash` runs the firmware: process.memory().usage with it, minus without it.
 */
export async function recordMemorySnippets(binary: string): Promise<Record<string, { code: string; vars: number }>> {
  const usage = async (code: string | undefined): Promise<number> => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-mem-'));
    try {
      if (code) for (const c of storageUploadCommands('.bootcde', code, 1024, true)) await runOnce(binary, dir, c);
      const line = (await runOnce(binary, dir, 'print("@@mem "+process.memory().usage)')).find((l) => l.startsWith('@@mem '));
      return Number(line!.slice(6));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const base = await usage(undefined);
  const snippets = JSON.parse(readFileSync(join(__dirname, 'probes', 'memory-snippets.json'), 'utf8')) as Record<string, string>;
  const out: Record<string, { code: string; vars: number }> = {};
  for (const [name, code] of Object.entries(snippets)) out[name] = { code, vars: (await usage(code)) - base };
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { puck: { type: 'string' }, bangle: { type: 'string' } } });
  const bins: Partial<Record<Layout, string>> = { puck: values.puck, bangle: values.bangle };
  mkdirSync(join(__dirname, 'fixtures', 'probes'), { recursive: true });
  for (const layout of ['puck', 'bangle'] as const) {
    const bin = bins[layout];
    if (!bin) continue;
    const what = await describe(bin);
    assertFlashReads(what);
    for (const p of listProbes().filter((x) => x.layouts.includes(layout))) {
      const out = probeOutput(await runFile(bin, p.code));
      const header = [
        `# Probe ${p.name} as the real Espruino interpreter printed it (firmware/check/record.ts).`,
        `# Interpreter: ${what}; a Linux build of github.com/espruino/Espruino tag RELEASE_2V29 with the ${layout === 'puck' ? 'Puck.js v2' : 'Bangle.js 2'} memory layout, 32-bit.`,
        `# Recorded ${new Date().toISOString().slice(0, 10)}. Edit the probe, not this file; record again to change it.`,
      ];
      writeFileSync(fixturePath(p.name, layout), [...header, ...out, ''].join('\n'), 'latin1');
      console.log(`${p.name}.${layout}: ${out.length} lines`);
    }
    const mem = { interpreter: what, recorded: new Date().toISOString().slice(0, 10), note: 'variables each snippet costs run from flash (.bootcde): process.memory().usage with it minus without it', snippets: await recordMemorySnippets(bin) };
    writeFileSync(join(__dirname, 'fixtures', `memory-snippets.${layout}.json`), JSON.stringify(mem, null, 1) + '\n');
  }
}

if (require.main === module) void main();
