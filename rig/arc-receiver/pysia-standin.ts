/**
 * A stand-in for pysiaalarm 3.2 (the receiver behind Home Assistant's SIA integration), written from
 * its answers as recorded in test/arc/fixtures/pysiaalarm-answers.json — none of its code — and
 * tested against them byte for byte (pysia-fixtures.test.ts), so that Vigil's link is tested against
 * pysiaalarm's behaviour in every `make test`, also where pysiaalarm is not installed.
 *
 * What it reproduces, in pysiaalarm's order of checks:
 * 1. A header it cannot match, an encrypted message for an account without key (or unknown), or data
 *    it cannot parse (a wrong key; Contact ID with more than one `[...]` block) → `"NAK"0000R0L0A0[]`
 *    with its time: L before R.
 * 2. A damaged CRC → an empty frame `<LF><CR>`.
 * 3. Unknown event code → DUH; unknown account → NAK; timestamp outside −40 s … +20 s → NAK with its time.
 *    Without a known account the answer is the bare token (`"NAK"`, `"DUH"`): no LF, CRC, length or CR.
 * 4. Answers echo `R<receiver>` as received, or `None` when the message had none; DUH is always in
 *    clear, and when the message had extended data and the account has a key, answers carry
 *    `[K<key>]` (in clear in a DUH). An encrypted ACK is `]` + `[K<key>]` + time, left-padded with '0'
 *    to whole blocks (1–16 zeros, no `|`), AES-CBC with a zero IV.
 * Contact ID events are never DUH (pysiaalarm maps unknown ones to a known code).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { dc09Crc, readStamp, stamp } from './codec';

export interface StandinOptions {
  /** account → text key (16/24/32 characters) or undefined for a plain account. */
  accounts: Record<string, string | undefined>;
  /** SIA codes it answers DUH to (pysiaalarm knows 325; QQ is one it does not). */
  unknownCodes?: string[];
  /** Its clock (the machine's unless a test runs on virtual time). */
  now?: () => number;
}

const HEADER = /^([0-9A-Fa-f]{4})([0-9A-Fa-f]{4})"(\*)?(SIA-DCS|ADM-CID|NULL)"(\d{4})(R[0-9A-Fa-f]{1,6})?(L[0-9A-Fa-f]{1,6})#?([0-9A-Fa-f]{3,16})?\[(.*)$/s;
const SIA = /^(?:#[0-9A-Fa-f]{3,16})?\|?N?(?:ti\d\d:\d\d)?\/?(?:id\d*)?\/?(?:ri\d*)?\/?([a-zA-Z]{2})?[^[\]]*\](?:\[(.*)\])?_?([0-9:,-]*)$/;
const CID = /^(?:#[0-9A-F]{3,16})?\|?(\d)(\d{3}) (\d{2}) (\d{3})\](?:\[(.[^[\]]*)\])?_?([0-9:,-]*)$/;
const PAD = /^[^|[\]]*\|?/;

const framed = (body: string): string => `\n${dc09Crc(Buffer.from(body, 'latin1')).toString(16).toUpperCase().padStart(4, '0')}${body.length.toString(16).toUpperCase().padStart(4, '0')}${body}\r`;
const nakSwapped = (nowMs: number): string => framed(`"NAK"0000L0R0A0[]${stamp(nowMs)}`);

function aes(key: string, decrypt: boolean): ReturnType<typeof createCipheriv> {
  const k = Buffer.from(key, 'latin1');
  const c = decrypt ? createDecipheriv(`aes-${k.length * 8}-cbc`, k, Buffer.alloc(16)) : createCipheriv(`aes-${k.length * 8}-cbc`, k, Buffer.alloc(16));
  c.setAutoPadding(false);
  return c;
}

/** pysiaalarm's answer to one frame (with or without the <LF>…<CR> around it) at `nowMs`; undefined for none. */
export function pysiaAnswer(raw: string, nowMs: number, o: StandinOptions): string | undefined {
  const line = raw.trim();
  if (!line) return undefined;
  const h = HEADER.exec(line);
  if (!h) return nakSwapped(nowMs);
  const [, crc, , star, type, seq, receiver, lineNo, account, rest] = h as unknown as [string, string, string, string | undefined, string, string, string | undefined, string, string | undefined, string];
  const known = account !== undefined && account in o.accounts;
  const key = known ? o.accounts[account] : undefined;
  let content = rest;
  if (star) {
    if (!key || !/^(?:[0-9A-Fa-f]{32})+$/.test(rest)) return nakSwapped(nowMs);
    const c = aes(key, true);
    content = [...Buffer.concat([c.update(Buffer.from(rest, 'hex')), c.final()])].filter((b) => b < 0x80).map((b) => String.fromCharCode(b)).join('');
    content = content.replace(PAD, '');
  }
  let code: string | undefined;
  let xdata: string | undefined;
  let time: string | undefined;
  if (type === 'ADM-CID') {
    const m = CID.exec(content);
    if (!m) return nakSwapped(nowMs);
    code = 'known';
    [xdata, time] = [m[5], m[6]];
  } else {
    const m = SIA.exec(content);
    if (!m) return nakSwapped(nowMs);
    code = m[1] ?? (type === 'NULL' ? 'RP' : undefined);
    [xdata, time] = [m[2], m[3]];
  }
  if (parseInt(crc, 16) !== dc09Crc(Buffer.from(line.slice(8), 'latin1'))) return '\n\r';
  const codeKnown = code !== undefined && !(o.unknownCodes ?? ['QQ']).includes(code);
  const stampMs = time ? readStamp(`_${time}`) : undefined;
  const inWindow = stampMs === undefined || (stampMs >= nowMs - 40_000 && stampMs <= nowMs + 20_000);
  const answer = !codeKnown ? 'DUH' : !known ? 'NAK' : !inWindow ? 'NAK' : 'ACK';
  if (!known) return `"${answer}"`;
  const r = `${receiver ?? 'None'}${lineNo}`;
  const k = xdata && key ? `[K${key}]` : '';
  if (answer === 'NAK') return framed(`"NAK"0000${r}A0[]${stamp(nowMs)}`);
  if (!star || answer === 'DUH') return framed(`"${answer}"${seq}${r}#${account}[]${k}`);
  const clear = `]${k}${stamp(nowMs)}`;
  const padded = clear.padStart(clear.length + 16 - (clear.length % 16), '0');
  const c = aes(key!, false);
  return framed(`"*ACK"${seq}${r}#${account}[${Buffer.concat([c.update(Buffer.from(padded, 'latin1')), c.final()]).toString('hex').toUpperCase()}`);
}

/** The stand-in on a loopback TCP port: each chunk read is one message, as pysiaalarm reads. */
export class PysiaStandin {
  readonly received: string[] = [];
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: StandinOptions) {}

  async start(): Promise<number> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk) => {
        const raw = chunk.toString('latin1');
        this.received.push(raw);
        const answer = pysiaAnswer(raw, (this.opts.now ?? Date.now)(), this.opts);
        if (answer !== undefined) socket.write(answer, 'latin1');
      });
    });
    this.server = server;
    this.port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
