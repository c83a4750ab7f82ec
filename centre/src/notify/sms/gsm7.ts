/**
 * The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1 and §6.2.1.1), septet
 * packing (§6.1.2.1.1), and how a text is cut into SMS parts (3GPP TS 23.040 §9.2.3.24: 140 octets of
 * user data = 160 septets or 70 UCS-2 characters; a concatenated part carries a 6-octet header,
 * §9.2.3.24.1, leaving 153 septets or 67 UCS-2 characters). No I/O; never throws on text.
 */

/** Code points 0x00–0x7F of the default alphabet, in order (0x1B is the escape to the extension table). */
const DEFAULT = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: ESC (0x1B) followed by these codes (§6.2.1.1). */
const EXTENSION: Record<string, number> = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 };

const TO_CODE = new Map<string, number>([...DEFAULT].map((c, i) => [c, i] as const).filter(([, i]) => i !== 0x1b));
// ç is not in the alphabet (0x09 is a capital Ç, and Gammu reads it so): like Gammu, French "reçu"
// goes as "recu" and stays in GSM 7-bit rather than doubling the message into UCS-2 (sms-pdu-gammu.test.ts).
TO_CODE.set('ç', 0x63);
const FROM_EXTENSION = new Map<number, string>(Object.entries(EXTENSION).map(([c, code]) => [code, c]));

export const SINGLE_SEPTETS = 160;
export const PART_SEPTETS = 153;
export const SINGLE_UCS2 = 70;
export const PART_UCS2 = 67;

/**
 * Typography of our own message templates that has a plain GSM equivalent: a dash or a middle dot must
 * not turn a whole alarm message into UCS-2 (half the characters per SMS). Control characters other
 * than CR and LF are dropped.
 */
export function gsmFriendly(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters have no business in an alarm SMS
  return text.replace(/[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]/g, '').replace(/[·•]/g, '-').replace(/[—–]/g, '-').replace(/…/g, '...').replace(/[“”«»„]/g, '"').replace(/[‘’‚]/g, "'").replace(/\u00a0/g, ' ');
}

/** The septets of `text` in the default alphabet (escape pairs included), or undefined if a character is not in it. */
export function toSeptets(text: string): number[] | undefined {
  const out: number[] = [];
  for (const c of text) {
    const code = TO_CODE.get(c);
    const ext = EXTENSION[c];
    if (code !== undefined) out.push(code);
    else if (ext !== undefined) out.push(0x1b, ext);
    else return undefined;
  }
  return out;
}

/** Septets back to text; an escape before an unknown code gives a space, as §6.2.1.1 asks of receivers. */
export function fromSeptets(septets: readonly number[]): string {
  let s = '';
  for (let i = 0; i < septets.length; i++) {
    const c = septets[i]! & 0x7f;
    if (c === 0x1b && i + 1 < septets.length) {
      s += FROM_EXTENSION.get(septets[++i]! & 0x7f) ?? ' ';
    } else s += c === 0x1b ? ' ' : DEFAULT[c]!;
  }
  return s;
}

/** Packs septets LSB first after `fillBits` zero bits (§6.1.2.1.1; fill bits align after a user data header). */
export function packSeptets(septets: readonly number[], fillBits = 0): Uint8Array {
  const bits = fillBits + septets.length * 7;
  const out = new Uint8Array(Math.ceil(bits / 8));
  septets.forEach((s, i) => {
    const at = fillBits + i * 7;
    const byte = at >> 3;
    const shift = at & 7;
    out[byte]! |= (s << shift) & 0xff;
    if (shift > 1) out[byte + 1]! |= s >> (8 - shift);
  });
  return out;
}

/** Unpacks `count` septets starting after `fillBits`; bytes missing at the end read as zero. */
export function unpackSeptets(bytes: Uint8Array, count: number, fillBits = 0): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = fillBits + i * 7;
    const byte = at >> 3;
    const shift = at & 7;
    const v = ((bytes[byte] ?? 0) >> shift) | ((bytes[byte + 1] ?? 0) << (8 - shift));
    out.push(v & 0x7f);
  }
  return out;
}

export type SmsEncoding = 'gsm7' | 'ucs2';

/** One part's payload: septets (GSM 7-bit) or UTF-16 code units (UCS-2). */
export interface SmsPart {
  encoding: SmsEncoding;
  units: number[];
}

/**
 * Cuts a text into parts: GSM 7-bit when every character is in the alphabet (after gsmFriendly), else
 * UCS-2 (UTF-16 code units, as phones read DCS 0x08). One part up to 160 septets / 70 units, else parts
 * of 153 / 67 — never splitting an escape pair or a surrogate pair across parts.
 */
export function splitSms(text: string, ucs2 = false): SmsPart[] {
  const friendly = gsmFriendly(text);
  const septets = ucs2 ? undefined : toSeptets(friendly);
  if (septets) return cut(septets, SINGLE_SEPTETS, PART_SEPTETS, (u, i) => u[i] === 0x1b).map((units) => ({ encoding: 'gsm7', units }));
  const units = [...friendly].flatMap((c) => {
    const cp = c.codePointAt(0)!;
    return cp > 0xffff ? [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)] : [cp];
  });
  return cut(units, SINGLE_UCS2, PART_UCS2, (u, i) => u[i]! >= 0xd800 && u[i]! <= 0xdbff).map((u) => ({ encoding: 'ucs2', units: u }));
}

function cut(units: number[], single: number, part: number, opensPair: (u: number[], i: number) => boolean): number[][] {
  if (units.length <= single) return [units];
  const parts: number[][] = [];
  let i = 0;
  while (i < units.length) {
    let end = Math.min(units.length, i + part);
    if (end < units.length && opensPair(units, end - 1)) end--;
    parts.push(units.slice(i, end));
    i = end;
  }
  return parts;
}
