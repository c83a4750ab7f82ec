/**
 * SIP messages (RFC 3261 §7): decoded at the edge into a value, never a throw. Header names are
 * normalised through one table (compact forms of §7.3.3 included), so the rest of the user agent asks
 * for `Call-ID` whatever the peer wrote (`i`, `call-id`). Header values stay text; the few we read
 * structurally (Via, name-addr, CSeq) have their own small parsers below.
 */

export type Header = [name: string, value: string];

interface Common {
  headers: Header[];
  body: Buffer;
}
export interface SipRequest extends Common {
  kind: 'request';
  method: string;
  uri: string;
}
export interface SipResponse extends Common {
  kind: 'response';
  status: number;
  reason: string;
}
export type SipMessage = SipRequest | SipResponse;

export type SipDecodeError = 'empty' | 'too_large' | 'no_header_end' | 'bad_start_line' | 'bad_header' | 'bad_content_length' | 'truncated' | 'missing_header';
export type Decoded = { ok: true; message: SipMessage } | { ok: false; code: SipDecodeError; detail: string };

/** A UDP datagram or one TCP message: larger is refused (RFC 3261 §18.1.1 keeps UDP under the MTU anyway). */
export const MAX_MESSAGE_BYTES = 65_535;

/** Canonical names, by lower-case full or compact name. */
const CANONICAL = new Map<string, string>();
for (const [name, compact] of [
  ['Via', 'v'], ['From', 'f'], ['To', 't'], ['Call-ID', 'i'], ['Contact', 'm'], ['Content-Length', 'l'], ['Content-Type', 'c'],
  ['Supported', 'k'], ['Subject', 's'], ['Content-Encoding', 'e'], ['CSeq', ''], ['Max-Forwards', ''], ['Route', ''], ['Record-Route', ''],
  ['WWW-Authenticate', ''], ['Proxy-Authenticate', ''], ['Authorization', ''], ['Proxy-Authorization', ''], ['Allow', ''], ['User-Agent', ''],
  ['Expires', ''], ['Reason', ''], ['P-Asserted-Identity', ''], ['Accept', ''],
] as const) {
  CANONICAL.set(name.toLowerCase(), name);
  if (compact) CANONICAL.set(compact, name);
}
const REQUIRED = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];

export function canonicalName(name: string): string {
  return CANONICAL.get(name.toLowerCase()) ?? name;
}

const REQUEST_LINE = /^([A-Za-z]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/;

/** One message in `buf` (a datagram, or exactly one framed message from a stream). */
export function decodeSip(buf: Buffer): Decoded {
  if (buf.length === 0) return { ok: false, code: 'empty', detail: 'no bytes' };
  if (buf.length > MAX_MESSAGE_BYTES) return { ok: false, code: 'too_large', detail: `${buf.length} bytes` };
  const end = headerEnd(buf);
  if (!end) return { ok: false, code: 'no_header_end', detail: 'no empty line after the headers' };
  const lines = unfold(buf.subarray(0, end.at).toString('utf8').split(/\r?\n/));
  const start = lines.shift() ?? '';
  const headers: Header[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[A-Za-z0-9!%*_+`'~.-]+$/.test(line.slice(0, colon).trim())) return { ok: false, code: 'bad_header', detail: line.slice(0, 60) };
    headers.push([canonicalName(line.slice(0, colon).trim()), line.slice(colon + 1).trim()]);
  }
  let body = buf.subarray(end.at + end.length);
  const cl = headers.find(([n]) => n === 'Content-Length')?.[1];
  if (cl !== undefined) {
    if (!/^\d{1,5}$/.test(cl)) return { ok: false, code: 'bad_content_length', detail: cl.slice(0, 20) };
    if (Number(cl) > body.length) return { ok: false, code: 'truncated', detail: `Content-Length ${cl}, ${body.length} bytes` };
    body = body.subarray(0, Number(cl)); // §18.3: extra bytes after the body of a datagram are discarded
  }
  for (const h of REQUIRED) if (!headers.some(([n]) => n === h)) return { ok: false, code: 'missing_header', detail: h };
  const req = REQUEST_LINE.exec(start);
  if (req) return { ok: true, message: { kind: 'request', method: req[1]!.toUpperCase(), uri: req[2]!, headers, body: Buffer.from(body) } };
  const res = STATUS_LINE.exec(start);
  if (res) return { ok: true, message: { kind: 'response', status: Number(res[1]), reason: res[2] ?? '', headers, body: Buffer.from(body) } };
  return { ok: false, code: 'bad_start_line', detail: start.slice(0, 60) };
}

export function encodeSip(m: SipMessage): Buffer {
  const start = m.kind === 'request' ? `${m.method} ${m.uri} SIP/2.0` : `SIP/2.0 ${m.status} ${m.reason}`;
  const headers = m.headers.filter(([n]) => n !== 'Content-Length').map(([n, v]) => `${n}: ${v}`);
  headers.push(`Content-Length: ${m.body.length}`);
  return Buffer.concat([Buffer.from(`${start}\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'), m.body]);
}

function headerEnd(buf: Buffer): { at: number; length: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  return lf >= 0 ? { at: lf, length: 2 } : undefined;
}

/** §7.3.1: a line starting with white space continues the previous header. */
function unfold(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    if (/^[ \t]/.test(l) && out.length > 1) out[out.length - 1] += ' ' + l.trim();
    else if (l !== '') out.push(l);
  }
  return out;
}

/** First value of a header (values joined by commas in one line count as one here). */
export function header(m: SipMessage, name: string): string | undefined {
  return m.headers.find(([n]) => n === name)?.[1];
}

/** Every value of a header, comma-separated lists split (outside quotes and angle brackets). */
export function headerValues(m: SipMessage, name: string): string[] {
  return m.headers.filter(([n]) => n === name).flatMap(([, v]) => splitList(v));
}

export function splitList(v: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    if (ch === '"' && v[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') angle = true;
    else if (!quoted && ch === '>') angle = false;
    if (ch === ',' && !quoted && !angle) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `;name=value;flag` → map (names lower-cased). */
export function parseParams(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of s.split(';')) {
    const t = p.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    out.set((eq < 0 ? t : t.slice(0, eq)).trim().toLowerCase(), eq < 0 ? '' : t.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

export interface NameAddr {
  display: string | null;
  uri: string;
  params: Map<string, string>;
}

/** `"Name" <sip:a@b;transport=tcp>;tag=x` or `sip:a@b;tag=x` (§20.10: without <>, parameters are the header's). */
export function parseNameAddr(v: string): NameAddr | undefined {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^>]*)>(.*)$/.exec(v);
  if (m) return { display: m[1] ?? (m[2]?.trim() || null), uri: m[3]!.trim(), params: parseParams(m[4] ?? '') };
  const bare = /^\s*([^;\s]+)(.*)$/.exec(v);
  return bare ? { display: null, uri: bare[1]!, params: parseParams(bare[2] ?? '') } : undefined;
}

export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | null;
  host: string;
  port: number | null;
  params: Map<string, string>;
}

export function parseSipUri(s: string): SipUri | undefined {
  const m = /^(sips?):(?:([^@;?]+)@)?(\[[0-9a-fA-F:.]+\]|[^:;?]+)(?::(\d{1,5}))?((?:;[^?]*)?)(?:\?.*)?$/.exec(s.trim());
  if (!m) return undefined;
  return { scheme: m[1] as 'sip' | 'sips', user: m[2] ?? null, host: m[3]!, port: m[4] ? Number(m[4]) : null, params: parseParams(m[5] ?? '') };
}

export interface Via {
  transport: string;
  host: string;
  port: number | null;
  params: Map<string, string>;
}

export function parseVia(v: string): Via | undefined {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[0-9a-fA-F:.]+\]|[^:;\s]+)(?::(\d{1,5}))?\s*(.*)$/.exec(v.trim());
  return m ? { transport: m[1]!.toUpperCase(), host: m[2]!, port: m[3] ? Number(m[3]) : null, params: parseParams(m[4] ?? '') } : undefined;
}

export function parseCSeq(v: string | undefined): { seq: number; method: string } | undefined {
  const m = /^(\d{1,10})\s+([A-Za-z]+)$/.exec(v?.trim() ?? '');
  return m ? { seq: Number(m[1]), method: m[2]!.toUpperCase() } : undefined;
}

/** A response to `req` with its Via, From, To, Call-ID and CSeq (§8.2.6.2); `toTag` is added when To has none. */
export function responseTo(req: SipRequest, status: number, reason: string, opts: { toTag?: string; headers?: Header[]; body?: Buffer } = {}): SipResponse {
  const copied = req.headers.filter(([n]) => n === 'Via' || n === 'From' || n === 'Call-ID' || n === 'CSeq');
  let to = header(req, 'To') ?? '';
  if (opts.toTag && !parseNameAddr(to)?.params.has('tag')) to += `;tag=${opts.toTag}`;
  const at = copied.findIndex(([n]) => n === 'Call-ID');
  copied.splice(at, 0, ['To', to]);
  return { kind: 'response', status, reason, headers: [...copied, ...(opts.headers ?? [])], body: opts.body ?? Buffer.alloc(0) };
}
