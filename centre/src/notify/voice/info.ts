/**
 * DTMF relayed in SIP INFO, the fallback of trunks that do not pass RFC 4733 events: the de-facto
 * `application/dtmf-relay` body (`Signal=1\r\nDuration=160`, from Cisco, used by Asterisk, FreeSWITCH
 * and most carriers) and `application/dtmf` (the bare key). Anything else is not a key.
 */
import { header, type SipRequest } from './sip/message';

const KEY = /^[0-9*#A-D]$/i;

export function dtmfFromInfo(req: SipRequest): string | undefined {
  const type = (header(req, 'Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  const body = req.body.toString('utf8').trim();
  let key: string | undefined;
  if (type === 'application/dtmf-relay') key = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(body)?.[1];
  else if (type === 'application/dtmf') key = body;
  if (key === '10') key = '*';
  if (key === '11') key = '#';
  return key && KEY.test(key) ? key.toUpperCase() : undefined;
}
