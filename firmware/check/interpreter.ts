/**
 * A real Espruino interpreter (a Linux build of the public source, made by the developer; never part of
 * the project) driven over its console, as the Web IDE and the `espruino` tool drive a device: lines of
 * JavaScript in, printed lines out. Used by `make check-espruino` and by the recorder of the stand-in's
 * conformance fixtures (firmware/check/record.ts). Not used in CI (CI has no interpreter).
 *
 * - Each run has its own directory: the Linux build keeps its flash in `espruino.flash` in the working
 *   directory, so Storage survives from one process to the next (a reboot is a new process).
 * - Standard input stays open: at end-of-file the Linux build floods its console (ESPRUINO.md §8).
 * - Lines the harness reads are `@@<kind> <json>`; `Uncaught …` lines are the interpreter's errors.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';

export interface Printed {
  kind: string;
  value: unknown;
  line: string;
  atMs: number;
}

/**
 * EspruinoTools' toJSONishString (core/utils.js): the string form the IDE uploads code in. `ascii`
 * also escapes bytes 128–255 (for a command line, which Node passes as UTF-8); the bytes written to
 * Storage are the same.
 */
export function toJSONishString(txt: string, ascii = false): string {
  let js = '"';
  for (let i = 0; i < txt.length; i++) {
    const ch = txt.charCodeAt(i);
    const next = i + 1 < txt.length ? txt.charCodeAt(i + 1) : 0;
    if (ch < 8) js += next >= 48 && next <= 55 ? '\\x0' + ch : '\\' + ch;
    else if (ch === 8) js += '\\b';
    else if (ch === 9) js += '\\t';
    else if (ch === 10) js += '\\n';
    else if (ch === 11) js += '\\v';
    else if (ch === 12) js += '\\f';
    else if (ch === 34) js += '\\"';
    else if (ch === 92) js += '\\\\';
    else if (ch < 32 || ch === 127 || ch === 173 || (ch >= 0xc2 && ch <= 0xf4)) js += '\\x' + ((ch & 255) | 256).toString(16).substring(1);
    else if (ch > 255) js += '\\u' + ((ch & 65535) | 65536).toString(16).substring(1);
    else if (ascii && ch > 127) js += '\\x' + ch.toString(16);
    else js += txt[i];
  }
  return js + '"';
}

/** The commands `espruino --config SAVE_ON_SEND=1` sends to put code in a Storage file (plugins/saveOnSend.js). */
export function storageUploadCommands(file: string, code: string, chunk = 1024, ascii = false): string[] {
  const q = (s: string): string => toJSONishString(s, ascii);
  const out = [`require("Storage").write(${q(file)},${q(code.substr(0, chunk))},0,${code.length});`];
  for (let i = chunk; i < code.length; i += chunk) out.push(`require("Storage").write(${q(file)},${q(code.substr(i, chunk))},${i});`);
  return out;
}

/**
 * Runs one statement in a fresh interpreter (`espruino -e`, no console) on the flash in `dir` and
 * returns what it printed. Uploads go this way: the Linux build's console input has a race between
 * its input thread and the main loop that a long line can hit (ASSERT(len <= 64) in jsdevices.c).
 */
export function runOnce(binary: string, dir: string, js: string, timeoutMs = 20_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // standard input stays open and empty: at end-of-file the Linux build floods its console
    // The -e mode does not end while standard input is open, and at its end-of-file the console
    // floods; so it stays open and the process is stopped once the statement has run (Storage writes
    // are done by then: the Linux build writes its flash file synchronously).
    const child = spawn(binary, ['-e', `${js};print("@@done");`], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let done = false;
    child.stdout.setEncoding('latin1').on('data', (c: string) => {
      out += c;
      if (!done && out.includes('@@done')) {
        done = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('latin1').on('data', (c: string) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      const lines = out.split('\n').map((l) => cleanLine(l).slice(0, 300));
      if (!done || lines.some((l) => /Uncaught|ASSERT/.test(l))) reject(new Error(`espruino -e failed: ${js.slice(0, 80)}\n${lines.slice(-10).join('\n')}`));
      else resolve(lines);
    });
  });
}

/** A console line without the prompt and the terminal escapes the console redraws it with (`>\x1b[J`). */
export function cleanLine(raw: string): string {
  const ESC = String.fromCharCode(27);
  return raw.replace(/\r/g, '').replace(new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, 'g'), '').replace(/^>+/, '');
}

export class Interpreter extends EventEmitter<{ printed: [Printed]; line: [string]; exit: [number | null] }> {
  readonly lines: string[] = [];
  readonly printed: Printed[] = [];
  readonly errors: string[] = [];
  private partial = '';
  private readonly started = Date.now();
  private seq = 0;
  exitCode: number | null | undefined;

  private constructor(readonly child: ChildProcess) {
    super();
    child.stdout!.setEncoding('latin1');
    child.stdout!.on('data', (c: string) => this.take(c));
    child.stderr!.setEncoding('latin1');
    child.stderr!.on('data', (c: string) => this.take(c));
    child.once('exit', (code) => {
      this.exitCode = code;
      this.emit('exit', code);
    });
  }

  /** Starts the interpreter in `dir` (its flash lives there); it runs the boot files, then its console. */
  static start(binary: string, dir: string): Interpreter {
    const child = spawn(binary, [], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    return new Interpreter(child);
  }

  private take(chunk: string): void {
    this.partial += chunk;
    const parts = this.partial.split('\n');
    this.partial = parts.pop()!;
    for (const raw of parts) {
      const line = cleanLine(raw);
      this.lines.push(line);
      this.emit('line', line);
      const at = line.indexOf('@@');
      if (at >= 0) {
        const text = line.slice(at + 2);
        const sp = text.indexOf(' ');
        const kind = sp < 0 ? text : text.slice(0, sp);
        let value: unknown = sp < 0 ? undefined : text.slice(sp + 1);
        try {
          value = JSON.parse(value as string);
        } catch {
          /* a bare string */
        }
        const p: Printed = { kind, value, line, atMs: Date.now() - this.started };
        this.printed.push(p);
        this.emit('printed', p);
      }
      if (/Uncaught|ERROR|Error:|Out of Memory|MEMORY/.test(line)) this.errors.push(line);
    }
  }

  /**
   * Sends JavaScript to the console (latin1: tokenised code is bytes), 64 bytes at a time: the Linux
   * build's input queue holds 1 KB and has no flow control (the `espruino` tool relies on XON/XOFF
   * with a device); a long line sent at once overruns it (ASSERT(len <= 64) in jsdevices.c).
   */
  async send(js: string): Promise<void> {
    const bytes = Buffer.from(js + '\n', 'latin1');
    for (let i = 0; i < bytes.length; i += 64) {
      this.child.stdin!.write(bytes.subarray(i, i + 64));
      if (bytes.length > 64) await new Promise((r) => setTimeout(r, 3));
    }
  }

  /** Sends a statement and waits until the console has run it (it prints an acknowledgement after). */
  async run(js: string, timeoutMs = 20_000): Promise<void> {
    const id = ++this.seq;
    const seen = this.waitFor((p) => p.kind === 'ack' && p.value === id, timeoutMs, `the console to run: ${js.slice(0, 80)}`);
    await this.send(`${js}\nprint("@@ack ${id}");`);
    await seen;
  }

  /** Evaluates an expression in the interpreter and returns its value (through JSON). */
  async evaluate<T = unknown>(expr: string, timeoutMs = 20_000): Promise<T> {
    const id = ++this.seq;
    const seen = this.waitFor((p) => p.kind === `val${id}`, timeoutMs, `the value of ${expr.slice(0, 80)}`);
    await this.send(`print("@@val${id} "+JSON.stringify(${expr}));`);
    return (await seen).value as T;
  }

  /** Resolves on the first printed event that matches (already printed ones count). */
  waitFor(match: (p: Printed) => boolean, timeoutMs: number, what: string, from = 0): Promise<Printed> {
    const done = this.printed.slice(from).find(match);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('printed', on);
        this.off('exit', onExit);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- interpreter output (tail) ---\n${this.lines.slice(-25).join('\n')}`));
      }, timeoutMs);
      const on = (p: Printed): void => {
        if (!match(p)) return;
        clearTimeout(timer);
        this.off('printed', on);
        this.off('exit', onExit);
        resolve(p);
      };
      const onExit = (): void => {
        clearTimeout(timer);
        this.off('printed', on);
        reject(new Error(`the interpreter exited while waiting for ${what}\n${this.lines.slice(-25).join('\n')}`));
      };
      this.on('printed', on);
      this.once('exit', onExit);
    });
  }

  /** Ends the process (a power-off: nothing is flushed that the firmware did not write itself). */
  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    const exited = new Promise<void>((r) => this.once('exit', () => r()));
    this.child.kill('SIGKILL');
    await exited;
  }
}
