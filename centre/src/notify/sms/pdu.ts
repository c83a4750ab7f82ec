/**
 * SMS TPDUs (3GPP TS 23.040 §9.2) as AT PDU mode carries them (3GPP TS 27.005 §3: hex, the service
 * centre address first, `AT+CMGS=<length>` counting the TPDU octets only). Encodes SMS-SUBMIT (one
 * part or a concatenated series, status report requested); decodes SMS-SUBMIT (for the scripted
 * modem), SMS-DELIVER (replies) and SMS-STATUS-REPORT (delivery reports). Decoders never throw: they
 * return `{ok: false, code, detail}`.
 *
 * SMS-SUBMIT layout (§9.2.2.2), one row per field:
 * | field   | octets | value here |
 * |---------|--------|------------|
 * | SCA     | 1      | 00: the SIM's service centre (27.005 §3: a zero length means the default) |
 * | first   | 1      | MTI 01, VPF 10 (relative) if a validity is given, SRR 0x20, UDHI 0x40 for parts |
 * | TP-MR   | 1      | 00 (the modem assigns it and answers it in +CMGS) |
 * | TP-DA   | 2–12   | digit count, type 0x91 (international, "+") or 0x81, swapped BCD, F-padded |
 * | TP-PID  | 1      | 00 |
 * | TP-DCS  | 1      | 00 GSM 7-bit, 08 UCS-2 (23.038 §4) |
 * | TP-VP   | 0–1    | relative: 0–143 → (n+1)×5 min (§9.2.3.12.1) |
 * | TP-UDL  | 1      | septets (7-bit, header included) or octets (UCS-2) |
 * | TP-UD   | ≤140   | [UDH 05 00 03 ref total seq] + text |
 */
import { fromSeptets, packSeptets, type SmsEncoding, splitSms, unpackSeptets } from './gsm7';

export interface SubmitOptions {
  /** Relative validity in minutes (rounded up to the steps of §9.2.3.12.1); none = the service centre's default. */
  validityMin?: number;
  statusReport?: boolean;
  /** 8-bit concatenation reference shared by the parts (§9.2.3.24.1). */
  reference?: number;
  /** UCS-2 even when GSM 7-bit would do. */
  ucs2?: boolean;
}

export interface SubmitPdu {
  /** Hex for the modem: "00" + TPDU. */
  hex: string;
  /** `AT+CMGS=<tpduLength>`. */
  tpduLength: number;
}

export type Decoded<T> = ({ ok: true } & T) | { ok: false; code: 'truncated' | 'not_hex' | 'unsupported'; detail: string };

export interface DeliverPdu { kind: 'deliver'; from: string; text: string; encoding: SmsEncoding | '8bit'; concat?: Concat; scts: string }
export interface StatusReportPdu { kind: 'status_report'; reference: number; recipient: string; status: number; outcome: 'delivered' | 'pending' | 'failed'; scts: string; dischargedAt: string }
export interface SubmitDecoded { kind: 'submit'; to: string; text: string; encoding: SmsEncoding | '8bit'; concat?: Concat; statusReport: boolean; validity: number | null; udl: number; udOctets: number }
export interface Concat { reference: number; total: number; seq: number }

export function encodeSubmit(to: string, text: string, opts: SubmitOptions = {}): SubmitPdu[] {
  const parts = splitSms(text, opts.ucs2);
  const concat = parts.length > 1;
  const vp = opts.validityMin === undefined ? undefined : relativeValidity(opts.validityMin);
  return parts.map((part, i) => {
    const first = 0x01 | (vp !== undefined ? 0x10 : 0) | (opts.statusReport ? 0x20 : 0) | (concat ? 0x40 : 0);
    const udh = concat ? [0x05, 0x00, 0x03, (opts.reference ?? 0) & 0xff, parts.length, i + 1] : [];
    let udl: number;
    let ud: number[];
    if (part.encoding === 'gsm7') {
      const fill = udh.length ? (7 - ((udh.length * 8) % 7)) % 7 : 0;
      udl = Math.ceil((udh.length * 8) / 7) + part.units.length;
      ud = [...udh, ...packSeptets(part.units, fill)];
    } else {
      ud = [...udh, ...part.units.flatMap((u) => [u >> 8, u & 0xff])];
      udl = ud.length;
    }
    const tpdu = [first, 0x00, ...address(to), 0x00, part.encoding === 'gsm7' ? 0x00 : 0x08, ...(vp !== undefined ? [vp] : []), udl, ...ud];
    return { hex: `00${hex(tpdu)}`, tpduLength: tpdu.length };
  });
}

/** TP-VP relative (§9.2.3.12.1): 5-minute steps to 12 h, 30-minute steps to 24 h, days to 30, then weeks to 63. */
export function relativeValidity(minutes: number): number {
  const m = Math.max(5, minutes);
  if (m <= 720) return Math.ceil(m / 5) - 1;
  if (m <= 1440) return 143 + Math.ceil((m - 720) / 30);
  if (m <= 30 * 1440) return 166 + Math.ceil(m / 1440);
  return Math.min(255, 192 + Math.ceil(m / 10_080));
}

/** TP-DA / TP-OA (§9.1.2.5): digit count, type of address, swapped semi-octets. */
function address(number: string): number[] {
  const intl = number.startsWith('+');
  const digits = number.replace(/[^0-9]/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < digits.length; i += 2) bytes.push(Number(digits[i]) | ((i + 1 < digits.length ? Number(digits[i + 1]) : 0xf) << 4));
  return [digits.length, intl ? 0x91 : 0x81, ...bytes];
}

export function hex(bytes: Iterable<number>): string {
  return Buffer.from([...bytes]).toString('hex').toUpperCase();
}

/** A cursor over the octets; reading past the end marks it truncated instead of throwing. */
class Reader {
  at = 0;
  short = false;
  constructor(readonly bytes: Uint8Array) {}
  u8(): number {
    if (this.at >= this.bytes.length) {
      this.short = true;
      return 0;
    }
    return this.bytes[this.at++]!;
  }
  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) this.short = true;
    const out = this.bytes.subarray(this.at, Math.min(this.bytes.length, this.at + n));
    this.at += n;
    return out;
  }
}

function bytesOf(pdu: string): Uint8Array | undefined {
  const s = pdu.trim();
  return /^([0-9a-fA-F]{2})+$/.test(s) ? Uint8Array.from(Buffer.from(s, 'hex')) : undefined;
}

/**
 * Decodes a PDU as a modem shows it. 27.005 puts the service centre address first, but some modems
 * leave it out of +CDS and +CMT; with `tpduLength` (the number the modem printed) the SCA is present
 * exactly when the hex is longer than the TPDU.
 */
export function decodePdu(pdu: string, tpduLength?: number): Decoded<DeliverPdu | StatusReportPdu | SubmitDecoded> {
  const bytes = bytesOf(pdu);
  if (!bytes) return { ok: false, code: 'not_hex', detail: 'a PDU is an even number of hex digits' };
  const r = new Reader(bytes);
  if (tpduLength === undefined || bytes.length > tpduLength) r.take(r.u8()); // the SCA
  const first = r.u8();
  const mti = first & 0x03;
  const out = mti === 0 ? deliver(r, first) : mti === 2 ? statusReport(r) : submit(r, first);
  if (r.short) return { ok: false, code: 'truncated', detail: `the PDU ends early (${bytes.length} octets)` };
  return out;
}

function readAddress(r: Reader): string {
  const digits = r.u8();
  const type = r.u8();
  const raw = r.take(Math.ceil(digits / 2));
  if ((type & 0x70) === 0x50) return fromSeptets(unpackSeptets(raw, Math.floor((digits * 4) / 7))); // alphanumeric (§9.1.2.5)
  let s = '';
  for (const b of raw) s += `${b & 0x0f}${(b >> 4) === 0x0f ? '' : b >> 4}`;
  return ((type & 0x70) === 0x10 ? '+' : '') + s.slice(0, digits);
}

/** SCTS / DT (§9.2.3.11): swapped semi-octets yy mm dd hh mm ss, zone in quarter hours (bit 3 of its first digit = minus). */
function readTime(r: Reader): string {
  const raw = [...r.take(7)];
  const b = raw.map((x) => (x & 0x0f) * 10 + (x >> 4));
  const z = raw[6] ?? 0;
  const quarters = (z & 0x07) * 10 + (z >> 4);
  const p = (n: number | undefined): string => String(n ?? 0).padStart(2, '0');
  return `${(b[0] ?? 0) < 70 ? 20 : 19}${p(b[0])}-${p(b[1])}-${p(b[2])}T${p(b[3])}:${p(b[4])}:${p(b[5])}${z & 0x08 ? '-' : '+'}${p(Math.floor(quarters / 4))}:${p((quarters % 4) * 15)}`;
}

function alphabet(dcs: number): SmsEncoding | '8bit' | undefined {
  const group = dcs & 0xf0;
  if ((dcs & 0xc0) === 0x00 || (dcs & 0xc0) === 0x40) return (['gsm7', '8bit', 'ucs2', undefined] as const)[(dcs >> 2) & 3];
  if (group === 0xf0) return dcs & 0x04 ? '8bit' : 'gsm7';
  if (group === 0xe0) return 'ucs2';
  if (group === 0xc0 || group === 0xd0) return 'gsm7';
  return undefined;
}

function userData(r: Reader, udhi: boolean, enc: SmsEncoding | '8bit', udl: number): { text: string; concat?: Concat; udOctets: number } {
  const octets = enc === 'gsm7' ? Math.ceil((udl * 7) / 8) : udl;
  const ud = r.take(octets);
  let headerOctets = 0;
  let concat: Concat | undefined;
  if (udhi && ud.length > 0) {
    headerOctets = 1 + ud[0]!;
    for (let i = 1; i + 1 < headerOctets;) {
      const iei = ud[i]!;
      const len = ud[i + 1]!;
      const v = ud.subarray(i + 2, i + 2 + len);
      if (iei === 0x00 && len === 3) concat = { reference: v[0]!, total: v[1]!, seq: v[2]! };
      if (iei === 0x08 && len === 4) concat = { reference: (v[0]! << 8) | v[1]!, total: v[2]!, seq: v[3]! };
      i += 2 + len;
    }
  }
  let text: string;
  if (enc === 'gsm7') {
    const headerSeptets = Math.ceil((headerOctets * 8) / 7);
    const fill = headerSeptets * 7 - headerOctets * 8;
    text = fromSeptets(unpackSeptets(ud.subarray(headerOctets), Math.max(0, udl - headerSeptets), fill));
  } else if (enc === 'ucs2') {
    const body = ud.subarray(headerOctets);
    const units: number[] = [];
    for (let i = 0; i + 1 < body.length; i += 2) units.push((body[i]! << 8) | body[i + 1]!);
    text = String.fromCharCode(...units);
  } else text = Buffer.from(ud.subarray(headerOctets)).toString('latin1');
  return { text, udOctets: ud.length, ...(concat ? { concat } : {}) };
}

function deliver(r: Reader, first: number): Decoded<DeliverPdu> {
  const from = readAddress(r);
  r.u8(); // PID
  const dcs = r.u8();
  const scts = readTime(r);
  const udl = r.u8();
  const enc = alphabet(dcs);
  if (!enc) return { ok: false, code: 'unsupported', detail: `data coding scheme 0x${dcs.toString(16)}` };
  const u = userData(r, (first & 0x40) !== 0, enc, udl);
  return { ok: true, kind: 'deliver', from, text: u.text, encoding: enc, scts, ...(u.concat ? { concat: u.concat } : {}) };
}

function submit(r: Reader, first: number): Decoded<SubmitDecoded> {
  if ((first & 0x03) !== 1) return { ok: false, code: 'unsupported', detail: `message type ${first & 0x03}` };
  r.u8(); // MR
  const to = readAddress(r);
  r.u8(); // PID
  const dcs = r.u8();
  const vpf = (first >> 3) & 0x03;
  const validity = vpf === 2 ? r.u8() : null;
  if (vpf === 1 || vpf === 3) r.take(7);
  const udl = r.u8();
  const enc = alphabet(dcs);
  if (!enc) return { ok: false, code: 'unsupported', detail: `data coding scheme 0x${dcs.toString(16)}` };
  const u = userData(r, (first & 0x40) !== 0, enc, udl);
  return { ok: true, kind: 'submit', to, text: u.text, encoding: enc, statusReport: (first & 0x20) !== 0, validity, udl, udOctets: u.udOctets, ...(u.concat ? { concat: u.concat } : {}) };
}

/** TP-ST (§9.2.3.15): 0x00–0x1F done (delivered), 0x20–0x3F still trying, the rest failed. */
function statusReport(r: Reader): Decoded<StatusReportPdu> {
  const reference = r.u8();
  const recipient = readAddress(r);
  const scts = readTime(r);
  const dischargedAt = readTime(r);
  const status = r.u8();
  const outcome = status < 0x20 ? 'delivered' : status < 0x40 ? 'pending' : 'failed';
  return { ok: true, kind: 'status_report', reference, recipient, status, outcome, scts, dischargedAt };
}
