/**
 * RTP packets (RFC 3550 §5.1) and DTMF telephone-events (RFC 4733 §2.3), decoded at the edge into
 * values. Layout of the fixed header, by byte:
 *
 * | byte | bits | field |
 * |---|---|---|
 * | 0 | 7-6 | version (2) |
 * | 0 | 5 | padding: the last byte counts padding bytes |
 * | 0 | 4 | extension: a header extension follows the CSRCs |
 * | 0 | 3-0 | CSRC count |
 * | 1 | 7 | marker (first packet of a talkspurt) |
 * | 1 | 6-0 | payload type |
 * | 2-3 | | sequence number |
 * | 4-7 | | timestamp (8 kHz units for G.711 and telephone-event) |
 * | 8-11 | | SSRC |
 *
 * A telephone-event payload: event (0-9, 10 = *, 11 = #, 12-15 = A-D), E bit (end) + R + 6-bit
 * volume, 16-bit duration; one key press is one RTP timestamp, its end packet sent three times.
 */

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

export type RtpDecodeError = 'too_short' | 'bad_version' | 'bad_length';
export type RtpDecoded = { ok: true; packet: RtpPacket } | { ok: false; code: RtpDecodeError };

export function decodeRtp(buf: Buffer): RtpDecoded {
  if (buf.length < 12) return { ok: false, code: 'too_short' };
  if (buf[0]! >> 6 !== 2) return { ok: false, code: 'bad_version' };
  let offset = 12 + (buf[0]! & 0x0f) * 4;
  if (buf[0]! & 0x10) {
    if (buf.length < offset + 4) return { ok: false, code: 'bad_length' };
    offset += 4 + buf.readUInt16BE(offset + 2) * 4;
  }
  let end = buf.length;
  if (buf[0]! & 0x20) end -= buf[buf.length - 1]!;
  if (offset > end) return { ok: false, code: 'bad_length' };
  return {
    ok: true,
    packet: { marker: (buf[1]! & 0x80) !== 0, payloadType: buf[1]! & 0x7f, sequence: buf.readUInt16BE(2), timestamp: buf.readUInt32BE(4), ssrc: buf.readUInt32BE(8), payload: buf.subarray(offset, end) },
  };
}

export function encodeRtp(p: RtpPacket): Buffer {
  const out = Buffer.alloc(12 + p.payload.length);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.sequence & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  p.payload.copy(out, 12);
  return out;
}

export const DTMF_KEYS = '0123456789*#ABCD';

export interface TelephoneEvent {
  key: string;
  end: boolean;
  volume: number;
  duration: number;
}

/** A DTMF event; undefined for other events (RFC 4733 also carries tones and line events). */
export function decodeTelephoneEvent(payload: Buffer): TelephoneEvent | undefined {
  if (payload.length < 4 || payload[0]! >= DTMF_KEYS.length) return undefined;
  return { key: DTMF_KEYS[payload[0]!]!, end: (payload[1]! & 0x80) !== 0, volume: payload[1]! & 0x3f, duration: payload.readUInt16BE(2) };
}
