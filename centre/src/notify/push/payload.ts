/**
 * What a push carries to the phone: one JSON object, encrypted for the browser alone (RFC 8291), read
 * by the console's service worker (centre/web/console/sw.js), which shows it in the phone's language.
 *
 * | field    | type            | meaning                                                                      |
 * |----------|-----------------|------------------------------------------------------------------------------|
 * | v        | 1               | layout version                                                               |
 * | id       | string          | the notification's id (the outbox row): the same id is the same push         |
 * | kind     | raised \| unacknowledged \| resolved \| test | what happened (test: a user checks their phone)  |
 * | alarmId  | string          | opens `/#/alarm/<alarmId>` when tapped                                       |
 * | number   | string          | the short alarm number people quote                                          |
 * | type     | string          | alarm type (`sos`, `fall`, `duress`…)                                        |
 * | priority | 1–5             | 1 = duress                                                                   |
 * | duress   | boolean         | "do not call the worker" on the notification                                 |
 * | worker   | string \| null  | the worker's name (never a position: a lock screen is not the console)        |
 * | site     | string \| null  | the site's name                                                              |
 * | at       | epoch ms        | when it happened (raised, resolved) or when the reminder was due             |
 * | afterMin | number \| null  | unacknowledged: minutes since raised                                         |
 * | lang     | en…nb           | the subscription's language                                                  |
 * | title    | string          | English title: shown if the service worker cannot load its translations      |
 * | body     | string          | English text, likewise                                                       |
 * | url      | string          | path to open (`/#/alarm/<id>`)                                               |
 *
 * Push services accept 4,096 bytes of ciphertext; with the record overhead (86 bytes for aes128gcm)
 * the plaintext must stay under ~4,000: names are cut to 80 characters and texts to 300.
 */
import type { AlarmType } from '../../../../protocol/src';

export type PushKind = 'raised' | 'unacknowledged' | 'resolved' | 'test';

export interface PushMessage {
  v: 1;
  id: string;
  kind: PushKind;
  alarmId: string;
  number: string;
  type: AlarmType | string;
  priority: number;
  duress: boolean;
  worker: string | null;
  site: string | null;
  at: number;
  afterMin: number | null;
  lang: string;
  title: string;
  body: string;
  url: string;
}

/** Plaintext bytes a push may carry (4,096 minus the aes128gcm header, padding delimiter and tag, with margin). */
export const MAX_PUSH_BYTES = 3_900;

const cut = (s: string | null, n: number): string | null => (s === null ? null : s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function alarmUrl(alarmId: string): string {
  return `/#/alarm/${encodeURIComponent(alarmId)}`;
}

/** English title and text (the fallback the service worker shows without its translations). */
export function englishText(m: Omit<PushMessage, 'title' | 'body' | 'v' | 'id' | 'url'>): { title: string; body: string } {
  if (m.kind === 'test') return { title: 'Vigil: test alert', body: `Alerts for ${m.worker ?? 'you'} reach this device` };
  const what = m.type.replace(/_/g, ' ');
  const who = [m.worker, m.site].filter(Boolean).join(', ');
  const title = m.kind === 'resolved' ? `Resolved: alarm ${m.number}` : m.kind === 'unacknowledged' ? `Still not acknowledged: alarm ${m.number}` : `Alarm ${m.number}: ${what}`;
  const lines = [
    m.kind === 'resolved' ? `${what} resolved` : m.kind === 'unacknowledged' ? `${what}, raised ${m.afterMin ?? '?'} min ago` : what,
    who,
    m.duress && m.kind !== 'resolved' ? 'SILENT ALARM (duress): do not call the worker' : '',
  ].filter(Boolean);
  return { title, body: lines.join(' — ') };
}

/** The JSON text a push carries, within what push services accept. */
export function encodePushMessage(m: PushMessage): string {
  const safe: PushMessage = { ...m, worker: cut(m.worker, 80), site: cut(m.site, 80), title: cut(m.title, 120)!, body: cut(m.body, 300)! };
  const text = JSON.stringify(safe);
  // Only ids and names are unbounded above; an id that long is a programmer error, not input.
  if (Buffer.byteLength(text) > MAX_PUSH_BYTES) throw new Error(`push message of ${Buffer.byteLength(text)} bytes exceeds ${MAX_PUSH_BYTES}`);
  return text;
}
