/**
 * Our SMS PDU codec against a real one on this machine: Gammu (libGammu through Debian's
 * python3-gammu; the version is printed by the last test), the SMS stack behind gammu-smsd and Wammu.
 * Every part our encoder makes for the centre's messages — seven languages, long texts, UCS-2,
 * extension characters — must read back in Gammu as the same number, text, coding and concatenation;
 * a one-part message is byte for byte Gammu's own encoding; and what Gammu encodes, our decoder reads.
 *
 * Observed with Gammu 1.42.0: python-gammu's DecodePDU returns the text of a GSM 7-bit message with
 * extension characters (€ [ ] { } | ^ ~ \) followed by junk — its length counts septets, not
 * characters — also for PDUs Gammu encoded itself (byte-identical to ours); there we compare the
 * text up to our length.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { encodeSubmit, decodePdu } from '../../centre/src/notify/sms/pdu';
import { gsmFriendly } from '../../centre/src/notify/sms/gsm7';
import { compose } from '../../centre/src/escalation/messages';
import { LANGUAGES } from '../../centre/src/escalation/language';
import type { Alarm } from '../../centre/src/store/types';

const decodedText = (p: { hex: string; tpduLength: number }): string => {
  const d = decodePdu(p.hex, p.tpduLength);
  return d.ok && d.kind === 'submit' ? d.text : '';
};

interface GammuPart { number: string; text: string; coding: string; udhType: string; ref: number; part: number; parts: number }

function gammu(req: unknown): { version: string; decoded?: GammuPart[]; encoded?: string[][] } {
  const r = spawnSync('/usr/bin/python3', [join(__dirname, 'gammu', 'peer.py')], { input: JSON.stringify(req), encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`Gammu peer failed (Debian package python3-gammu, in .ci/run PACKAGES): ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as never;
}

const alarm = { id: 'a', number: '1042', type: 'sos', state: 'raised', priority: 2, siteId: 's', deviceId: 'd', workerId: 'w', incidentRef: 1, lastCounter: 1, position: null, positionAt: 0, createdAt: 0, raisedAt: 0, updatedAt: 0, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, comment: null } as Alarm;
const ladderSms = (language: string): string => compose(
  { alarm, workerName: 'Chloé Dupont', workerPhone: '+33 6 12 34 56 78', place: { label: 'Atelier B, étage 2' } as never, nowMs: 120_000, link: 'https://centre.example.org/r/AbCdEfGhIjKlMnOpQrStUv' },
  { key: 'k', contactId: 'c', name: 'C', role: 'ladder', channel: 'sms', address: '+1', timeoutS: 60, language },
).text;

const TEXTS: [string, string][] = [
  ...LANGUAGES.map((l) => [`ladder SMS in ${l}`, ladderSms(l)] as [string, string]),
  ['one GSM part exactly', 'x'.repeat(160)],
  ['extension characters at a part boundary', `${'a'.repeat(152)}€[]{}|^~\\ and more`],
  ['UCS-2: Cyrillic, 3 parts', 'Тревога 1042: SOS · Хлоя Дюпон · Цех Б · '.repeat(4)],
  ['UCS-2: Polish name', 'VIGIL ALARM 1042: SOS · Łukasz Wójcik · Reply 1 or YES'],
  ['French short', 'Chloé a reçu l\'alarme à 10 h, étage 2'],
  ['German short with ß and €', 'Straße 5, Zugang 3 € [Tor B]'],
  ['Spanish short (UCS-2)', 'Sí, voy: llegaré en 10 minutos'],
];

describe('SMS PDUs cross-checked with Gammu', () => {
  it.each(TEXTS)('Gammu reads our %s as sent', (_name, text) => {
    const pdus = encodeSubmit('+33612345678', text, { statusReport: true, validityMin: 60, reference: 77 });
    const g = gammu({ decode: pdus.map((p) => p.hex) });
    const parts = g.decoded!;
    expect(parts.map((p) => p.number)).toEqual(pdus.map(() => '+33612345678'));
    const extension = /[€[\]{}|^~\\]/.test(text);
    const read = parts.map((p, i) => (extension ? p.text.slice(0, decodedText(pdus[i]!).length) : p.text)).join('');
    expect(read).toBe(gsmFriendly(text).replace(/ç/g, 'c'));
    const ucs2 = pdus.some((p) => decodePdu(p.hex, p.tpduLength).ok && (decodePdu(p.hex, p.tpduLength) as { encoding: string }).encoding === 'ucs2');
    expect(new Set(parts.map((p) => p.coding))).toEqual(new Set([ucs2 ? 'Unicode_No_Compression' : 'Default_No_Compression']));
    if (pdus.length > 1) expect(parts.map((p) => [p.udhType, p.ref, p.part, p.parts])).toEqual(pdus.map((_p, i) => ['ConcatenatedMessages', 77, i + 1, pdus.length]));
    else expect(parts[0]!.udhType).toBe('NoUDH');
  });

  it.each(TEXTS)('a one-part %s is byte for byte what Gammu makes', (_name, text) => {
    const ours = encodeSubmit('+33612345678', text, { validityMin: 5 }); // Gammu: TP-VP relative 0x00
    const ucs2 = ours.some((p) => (decodePdu(p.hex, p.tpduLength) as { encoding?: string }).encoding === 'ucs2');
    const theirs = gammu({ encode: [{ number: '+33612345678', text: gsmFriendly(text), unicode: ucs2 }] }).encoded![0]!;
    // Gammu's empty SCA is 01 81, ours 00; the concatenation reference is Gammu's own (masked)
    const mask = (tpdu: string): string => tpdu.replace(/^(.{28,40}?0500)03[0-9A-F]{2}/, '$103RR');
    expect(theirs.map((h) => mask(h.slice(4)))).toEqual(ours.map((p) => mask(p.hex.slice(2))));
  });

  it.each(TEXTS)('we read Gammu\'s encoding of %s', (_name, text) => {
    const unicode = !/^[\x20-\x7e€£¥èéùìòÇØøÅåÆæßÉÄÖÑÜäöñüà§¿¡ΔΦΓΛΩΠΨΣΘΞ\n\r]*$/.test(gsmFriendly(text));
    const g = gammu({ encode: [{ number: '+33612345678', text: gsmFriendly(text), unicode }] });
    const decoded = g.encoded![0]!.map((hex) => decodePdu(hex));
    expect(decoded.every((d) => d.ok && d.kind === 'submit' && d.to === '+33612345678')).toBe(true);
    expect(decoded.map((d) => (d.ok && d.kind === 'submit' ? d.text : '')).join('')).toBe(gsmFriendly(text));
  });

  it('names the Gammu it checked against', () => {
    expect(gammu({}).version).toMatch(/^1\.\d+\.\d+$/);
  });
});
