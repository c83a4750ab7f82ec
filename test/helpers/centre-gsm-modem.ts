/**
 * A scripted GSM modem on the far end of a pseudo-terminal (real `serialport`), a stand-in for the
 * 3GPP TS 27.005 modems we support (SIMCom SIM800, Quectel EC25 and the like). What it claims about
 * real modems is recorded in fixtures/gsm-modem.json with sources, and test/centre/gsm-modem-standin
 * .test.ts replays every claim against it. It enforces the real limits: text mode refuses a message
 * over 160 GSM characters (+CMS ERROR: 305); PDU mode checks `AT+CMGS=<length>` against the TPDU
 * octets and the user data against 140 octets / 160 septets (+CMS ERROR: 304); `ERROR` for unknown
 * commands, `+CMS ERROR: <n>` only after AT+CMEE=1. It answers `\r\n> ` as the prompt, echoes until
 * ATE0, aborts on ESC, reassembles concatenated parts into one `sent` message, stores incoming
 * messages (+CMTI) and status reports (+CDS with <ds>=1, +CDSI with <ds>=2). Tests wait on its events.
 * Also on demand: ERROR to everything (failAll), a bare OK to AT+CMGS before any prompt (okWithoutPrompt),
 * silence (a modem that hangs).
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { packSeptets, toSeptets } from '../../centre/src/notify/sms/gsm7';
import { decodePdu, hex, type SubmitDecoded } from '../../centre/src/notify/sms/pdu';

export interface SentSms { to: string; text: string; parts: SubmitDecoded[]; references: number[] }
type Events = { sent: [SentSms]; command: [string]; part: [SubmitDecoded] };
type Stored = { kind: 'deliver' | 'report'; pdu: string; tpduLength: number; text: string; from: string; read: boolean };

const SCA = '07913306091093F0'; // +33609001390, a service centre address as 27.005 puts it in front of a PDU

export class ScriptedModem extends EventEmitter<Events> {
  readonly sent: SentSms[] = [];
  readonly commands: string[] = [];
  /** AT+CMGS answers +CMS ERROR: 500 (a network refusal). */
  failSends = false;
  /** Answers nothing at all. */
  silent = false;
  /** Leave the service centre address out of +CDS PDUs, as some modems do. */
  cdsWithoutSca = false;
  /** The AT+CNMI <ds> values this modem accepts (real modems differ). */
  supportedDs: number[] = [0, 1, 2];
  /** Answers ERROR to every command, as a modem without a working SIM or network may. */
  failAll = false;
  /** Answers AT+CMGS with a bare OK before any prompt (what a late OK of an earlier command looks like). */
  okWithoutPrompt = false;
  private echo = true;
  private cmee = 0;
  private pduMode = false;
  private ds = 0;
  private buffer = '';
  private composing: { to?: string; length?: number; text: string } | undefined;
  private readonly inbox = new Map<number, Stored>();
  private readonly parts = new Map<string, (SubmitDecoded & { ref: number })[]>();
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
    const i = this.store(from, text);
    this.write(`\r\n+CMTI: "SM",${i}\r\n`);
  }

  /** A text that arrived while nobody listened (read at start with AT+CMGL). */
  store(from: string, text: string): number {
    const tpdu = deliverTpdu(from, text);
    const i = this.nextIndex++;
    this.inbox.set(i, { kind: 'deliver', pdu: SCA + tpdu, tpduLength: tpdu.length / 2, text, from, read: false });
    return i;
  }

  /** The network's status report for the part with message reference `mr` (TP-ST, 23.040 §9.2.3.15). */
  report(mr: number, to: string, status = 0x00): void {
    const time = (s: number): number[] => [0x62, 0x10, 0x50, 0x80, 0x00, ((s % 10) << 4) | Math.floor(s / 10), 0x00]; // 26-01-05 08:00:ss +00
    const tpdu = hex([0x06, mr & 0xff, ...address(to), ...time(0), ...time(10), status]);
    if (this.ds === 1) this.write(`\r\n+CDS: ${tpdu.length / 2}\r\n${this.cdsWithoutSca ? '' : SCA}${tpdu}\r\n`);
    else if (this.ds === 2) {
      const i = this.nextIndex++;
      this.inbox.set(i, { kind: 'report', pdu: SCA + tpdu, tpduLength: tpdu.length / 2, text: '', from: to, read: false });
      this.write(`\r\n+CDSI: "SR",${i}\r\n`);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }

  private onData(s: string): void {
    if (this.composing !== undefined) return this.compose(s);
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
        if (rest) this.compose(rest);
        return;
      }
    }
  }

  private compose(s: string): void {
    const c = this.composing!;
    c.text += s;
    const z = c.text.indexOf('\x1a');
    const esc = c.text.indexOf('\x1b');
    if (esc >= 0 && (z < 0 || esc < z)) {
      this.composing = undefined;
      return this.write('\r\nOK\r\n'); // 27.005 §3.5.1: ESC quits without sending
    }
    if (z < 0) return;
    const body = c.text.slice(0, z);
    this.composing = undefined;
    if (this.pduMode) return this.submitPdu(body.trim(), c.length!);
    if ([...body].length > 160 || (toSeptets(body)?.length ?? 161) > 160) return this.cms(305);
    if (this.failSends) return this.cms(500);
    const ref = this.nextRef++;
    this.finish({ to: c.to!, text: body, parts: [], references: [ref] }, ref);
  }

  private submitPdu(pduHex: string, length: number): void {
    const bytes = pduHex.length / 2;
    const scaOctets = /^[0-9A-Fa-f]{2}/.test(pduHex) ? 1 + parseInt(pduHex.slice(0, 2), 16) : 0;
    // 27.005 §3.5.1: <length> counts the TPDU only, without the SCA octets
    if (!/^([0-9A-Fa-f]{2})+$/.test(pduHex) || bytes - scaOctets !== length) return this.cms(304);
    const d = decodePdu(pduHex);
    if (!d.ok || d.kind !== 'submit') return this.cms(304);
    if (d.udOctets > 140 || (d.encoding === 'gsm7' ? d.udl > 160 : d.udl > 140)) return this.cms(304);
    if (this.failSends) return this.cms(500);
    const ref = this.nextRef++ & 0xff;
    this.emit('part', d);
    if (!d.concat) return this.finish({ to: d.to, text: d.text, parts: [d], references: [ref] }, ref);
    const key = `${d.to}/${d.concat.reference}`;
    const got = [...(this.parts.get(key) ?? []), { ...d, ref }];
    this.parts.set(key, got);
    this.write(`\r\n+CMGS: ${ref}\r\n\r\nOK\r\n`);
    if (got.length === d.concat.total) {
      this.parts.delete(key);
      const ordered = got.sort((a, b) => a.concat!.seq - b.concat!.seq);
      this.record({ to: d.to, text: ordered.map((p) => p.text).join(''), parts: ordered, references: ordered.map((p) => p.ref) });
    }
  }

  private finish(m: SentSms, ref: number): void {
    this.write(`\r\n+CMGS: ${ref}\r\n\r\nOK\r\n`);
    this.record(m);
  }

  private record(m: SentSms): void {
    this.sent.push(m);
    this.emit('sent', m);
  }

  private cms(code: number): void {
    this.write(this.cmee ? `\r\n+CMS ERROR: ${code}\r\n` : '\r\nERROR\r\n');
  }

  private command(line: string): void {
    this.commands.push(line);
    this.emit('command', line);
    if (this.silent) return;
    if (this.echo) this.write(`${line}\r`);
    if (this.failAll) return this.write('\r\nERROR\r\n');
    const ok = (): void => this.write('\r\nOK\r\n');
    let m: RegExpExecArray | null;
    if (line === 'AT') return ok();
    if (line === 'ATE0') return (this.echo = false), ok();
    if ((m = /^AT\+CMEE=([012])$/.exec(line))) return (this.cmee = Number(m[1])), ok();
    if ((m = /^AT\+CMGF=([01])$/.exec(line))) return (this.pduMode = m[1] === '0'), ok();
    if ((m = /^AT\+CNMI=\d,\d,\d,([012]),\d$/.exec(line))) return this.supportedDs.includes(Number(m[1])) ? ((this.ds = Number(m[1])), ok()) : this.cms(303);
    if (line === 'AT+CPIN?') return this.write('\r\n+CPIN: READY\r\n\r\nOK\r\n');
    if (this.okWithoutPrompt && line.startsWith('AT+CMGS=')) return ok();
    if (!this.pduMode && (m = /^AT\+CMGS="(\+?\d+)"$/.exec(line))) return this.prompt({ to: m[1]!, text: '' });
    if (this.pduMode && (m = /^AT\+CMGS=(\d+)$/.exec(line))) {
      const length = Number(m[1]);
      if (length < 7 || length > 164) return this.cms(304); // shortest and longest SMS-SUBMIT TPDU (23.040 §9.2.2.2)
      return this.prompt({ length, text: '' });
    }
    if ((m = /^AT\+CMGR=(\d+)$/.exec(line))) return this.read(Number(m[1]));
    if ((m = /^AT\+CMGD=(\d+)$/.exec(line))) return this.inbox.delete(Number(m[1])), ok();
    if (line === 'AT+CMGL=4' || line === 'AT+CMGL="ALL"' || line === 'AT+CMGL=0' || line === 'AT+CMGL="REC UNREAD"') return this.list(line.endsWith('0') || line.includes('UNREAD'));
    this.write('\r\nERROR\r\n');
  }

  private prompt(c: { to?: string; length?: number; text: string }): void {
    this.composing = c;
    this.write('\r\n> ');
  }

  private read(i: number): void {
    const msg = this.inbox.get(i);
    if (!msg) return this.cms(321);
    const stat = msg.read ? 1 : 0;
    msg.read = true;
    if (this.pduMode) return this.write(`\r\n+CMGR: ${stat},,${msg.tpduLength}\r\n${msg.pdu}\r\n\r\nOK\r\n`);
    this.write(`\r\n+CMGR: "${stat ? 'REC READ' : 'REC UNREAD'}","${msg.from}",,"26/01/05,08:00:00+04"\r\n${msg.text}\r\n\r\nOK\r\n`);
  }

  private list(unreadOnly: boolean): void {
    let out = '\r\n';
    for (const [i, msg] of this.inbox) {
      if (unreadOnly && msg.read) continue;
      const stat = msg.read ? 1 : 0;
      msg.read = true;
      out += this.pduMode ? `+CMGL: ${i},${stat},,${msg.tpduLength}\r\n${msg.pdu}\r\n` : `+CMGL: ${i},"${stat ? 'REC READ' : 'REC UNREAD'}","${msg.from}",,"26/01/05,08:00:00+04"\r\n${msg.text}\r\n`;
    }
    this.write(`${out}\r\nOK\r\n`);
  }

  private write(s: string): void {
    this.port.write(Buffer.from(s, 'latin1'));
  }
}

function address(n: string): number[] {
  const digits = n.replace(/[^0-9]/g, '');
  const out: number[] = [digits.length, n.startsWith('+') ? 0x91 : 0x81];
  for (let i = 0; i < digits.length; i += 2) out.push(Number(digits[i]) | ((i + 1 < digits.length ? Number(digits[i + 1]) : 0xf) << 4));
  return out;
}

/** An SMS-DELIVER TPDU (23.040 §9.2.2.1) as a phone's reply reaches the modem: GSM 7-bit if it fits, else UCS-2. */
export function deliverTpdu(from: string, text: string): string {
  const septets = toSeptets(text);
  const ud = septets ? [...packSeptets(septets)] : [...text].flatMap((c) => [c.charCodeAt(0) >> 8, c.charCodeAt(0) & 0xff]);
  const udl = septets ? septets.length : ud.length;
  return hex([0x04, ...address(from), 0x00, septets ? 0x00 : 0x08, 0x62, 0x10, 0x50, 0x80, 0x00, 0x00, 0x00, udl, ...ud]);
}
