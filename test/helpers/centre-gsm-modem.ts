/**
 * A scripted GSM modem on the far end of a pseudo-terminal (real `serialport`), speaking enough of
 * 3GPP TS 27.005 text mode for the centre's SMS channel: echo until ATE0, AT+CMGS with its `> ` prompt
 * and Ctrl-Z, +CMTI for incoming messages, AT+CMGR / AT+CMGL / AT+CMGD, +CMS ERROR on demand, ERROR to
 * everything on demand, and silence on demand (a modem that hangs). Tests assert on `sent` and wait on its events.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';

type Events = { sent: [{ to: string; text: string }]; command: [string] };

export class ScriptedModem extends EventEmitter<Events> {
  readonly sent: { to: string; text: string }[] = [];
  readonly commands: string[] = [];
  /** AT+CMGS answers +CMS ERROR: 500. */
  failSends = false;
  /** Answers nothing at all. */
  silent = false;
  /** Answers ERROR to every command, as a modem without a working SIM or network may. */
  failAll = false;
  /** Answers AT+CMGS with a bare OK before any prompt (what a late OK of an earlier command looks like). */
  okWithoutPrompt = false;
  private echo = true;
  private buffer = '';
  private composing: string | undefined;
  private readonly inbox = new Map<number, { from: string; text: string; read: boolean }>();
  private nextIndex = 1;
  private nextRef = 1;

  private constructor(private readonly port: SerialPort) {
    super();
    port.on('data', (chunk: Buffer) => this.onData(chunk.toString('latin1')));
  }

  static async open(path: string): Promise<ScriptedModem> {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    return new ScriptedModem(port);
  }

  /** A text arrives from `from`: stored, announced with +CMTI. */
  deliver(from: string, text: string): void {
    const i = this.nextIndex++;
    this.inbox.set(i, { from, text, read: false });
    this.write(`\r\n+CMTI: "SM",${i}\r\n`);
  }

  /** A text that arrived while nobody listened (read at start with AT+CMGL). */
  store(from: string, text: string): void {
    this.inbox.set(this.nextIndex++, { from, text, read: false });
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }

  private onData(s: string): void {
    if (this.composing !== undefined) {
      this.composeText(s);
      return;
    }
    this.buffer += s;
    for (;;) {
      const cr = this.buffer.indexOf('\r');
      if (cr < 0) return;
      let line = this.buffer.slice(0, cr);
      while (line.startsWith('\n') || line.startsWith('\u001b')) line = line.slice(1); // ESC outside the text prompt is ignored
      this.buffer = this.buffer.slice(cr + 1);
      if (line) this.command(line);
      if (this.composing !== undefined) {
        const rest = this.buffer;
        this.buffer = '';
        if (rest) this.composeText(rest);
        return;
      }
    }
  }

  private composeText(s: string): void {
    this.composing += s;
    const z = this.composing!.indexOf('\x1a');
    const esc = this.composing!.indexOf('\x1b');
    if (esc >= 0 && (z < 0 || esc < z)) {
      this.composing = undefined;
      this.write('\r\nOK\r\n');
      return;
    }
    if (z < 0) return;
    const text = this.composing!.slice(0, z);
    const to = this.pendingTo;
    this.composing = undefined;
    if (this.failSends) return this.write('\r\n+CMS ERROR: 500\r\n');
    this.sent.push({ to, text });
    this.write(`\r\n+CMGS: ${this.nextRef++}\r\n\r\nOK\r\n`);
    this.emit('sent', { to, text });
  }

  private pendingTo = '';

  private command(line: string): void {
    this.commands.push(line);
    this.emit('command', line);
    if (this.silent) return;
    if (this.echo) this.write(`${line}\r`);
    if (this.failAll) return this.write('\r\nERROR\r\n');
    const ok = (): void => this.write('\r\nOK\r\n');
    let m: RegExpExecArray | null;
    if (line === 'AT' || line === 'AT+CMEE=1' || line === 'AT+CMGF=1' || line.startsWith('AT+CNMI=')) return ok();
    if (line === 'ATE0') {
      this.echo = false;
      return ok();
    }
    if (line === 'AT+CPIN?') return this.write('\r\n+CPIN: READY\r\n\r\nOK\r\n');
    if ((m = /^AT\+CMGS="([^"]+)"$/.exec(line))) {
      if (this.okWithoutPrompt) return ok();
      this.pendingTo = m[1]!;
      this.composing = '';
      return this.write('\r\n> ');
    }
    if ((m = /^AT\+CMGR=(\d+)$/.exec(line))) {
      const msg = this.inbox.get(Number(m[1]));
      if (!msg) return this.write('\r\n+CMS ERROR: 321\r\n');
      const status = msg.read ? 'REC READ' : 'REC UNREAD';
      msg.read = true;
      return this.write(`\r\n+CMGR: "${status}","${msg.from}",,"26/01/05,08:00:00+04"\r\n${msg.text}\r\n\r\nOK\r\n`);
    }
    if ((m = /^AT\+CMGD=(\d+)$/.exec(line))) {
      this.inbox.delete(Number(m[1]));
      return ok();
    }
    if (line === 'AT+CMGL="REC UNREAD"') {
      let out = '\r\n';
      for (const [i, msg] of this.inbox) {
        if (msg.read) continue;
        msg.read = true;
        out += `+CMGL: ${i},"REC UNREAD","${msg.from}",,"26/01/05,08:00:00+04"\r\n${msg.text}\r\n`;
      }
      return this.write(`${out}\r\nOK\r\n`);
    }
    this.write('\r\nERROR\r\n');
  }

  private write(s: string): void {
    this.port.write(Buffer.from(s, 'latin1'));
  }
}
