/**
 * The session description of a voice call (RFC 4566 via `sdp-transform`; offer/answer RFC 3264):
 * we offer G.711 µ-law (0) and A-law (8) — what every PSTN gateway speaks — and telephone-event (101,
 * RFC 4733) for the keys; the answer picks one codec. Only sendrecv audio is used (we also listen for
 * the keys), so an answer that refuses audio is an error, not a silent call.
 */
import * as sdp from 'sdp-transform';

export type Codec = 'PCMU' | 'PCMA';
export const OFFERED_DTMF_PT = 101;
const STATIC: Record<number, Codec> = { 0: 'PCMU', 8: 'PCMA' };

export function buildOffer(o: { address: string; port: number; sessionId: number; codecs?: Codec[] }): string {
  const codecs = o.codecs ?? ['PCMU', 'PCMA'];
  const pts = codecs.map((c) => (c === 'PCMU' ? 0 : 8));
  const ip = o.address.includes(':') ? 6 : 4;
  return sdp.write({
    version: 0,
    origin: { username: 'vigil', sessionId: o.sessionId, sessionVersion: 1, netType: 'IN', ipVer: ip, address: o.address },
    name: 'vigil',
    connection: { version: ip, ip: o.address },
    timing: { start: 0, stop: 0 },
    media: [{
      type: 'audio', port: o.port, protocol: 'RTP/AVP', payloads: [...pts, OFFERED_DTMF_PT].join(' '),
      rtp: [...codecs.map((c, i) => ({ payload: pts[i]!, codec: c, rate: 8000 })), { payload: OFFERED_DTMF_PT, codec: 'telephone-event', rate: 8000 }],
      fmtp: [{ payload: OFFERED_DTMF_PT, config: '0-15' }],
      ptime: 20,
      direction: 'sendrecv',
    }],
  });
}

export interface NegotiatedMedia {
  host: string;
  port: number;
  codec: Codec;
  payloadType: number;
  /** The callee's telephone-event payload type, when it named one. */
  dtmfPayloadType: number | null;
}

export type AnswerResult = { ok: true; media: NegotiatedMedia } | { ok: false; detail: string };

export function parseAnswer(text: string): AnswerResult {
  let d: sdp.SessionDescription;
  try {
    d = sdp.parse(text);
  } catch (e) {
    return { ok: false, detail: `unreadable SDP: ${(e as Error).message}` };
  }
  const audio = (d.media ?? []).find((m) => m.type === 'audio' && m.port > 0);
  if (!audio) return { ok: false, detail: 'the answer has no audio stream' };
  if (audio.direction === 'inactive' || audio.direction === 'sendonly') return { ok: false, detail: `the callee's audio is ${audio.direction}` };
  const host = audio.connection?.ip ?? d.connection?.ip;
  if (!host || host === '0.0.0.0') return { ok: false, detail: 'the answer has no connection address' };
  const named = new Map((audio.rtp ?? []).map((r) => [r.payload, r.codec.toUpperCase()]));
  const pts = sdp.parsePayloads(String(audio.payloads ?? ''));
  const pt = pts.find((p) => STATIC[p] !== undefined || named.get(p) === 'PCMU' || named.get(p) === 'PCMA');
  if (pt === undefined) return { ok: false, detail: `no G.711 codec in the answer (payloads ${audio.payloads ?? 'none'})` };
  const codec: Codec = STATIC[pt] ?? (named.get(pt) as Codec);
  const dtmf = [...named].find(([, c]) => c === 'TELEPHONE-EVENT')?.[0] ?? null;
  return { ok: true, media: { host: host.split('/')[0]!, port: audio.port, codec, payloadType: pt, dtmfPayloadType: dtmf } };
}
