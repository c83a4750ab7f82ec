/**
 * The SMS PDU codec against published examples (fixtures/sms-pdu-vectors.json names each source),
 * round trips through the limits of 3GPP TS 23.040 (160/153 septets, 70/67 UCS-2 units), and
 * negative vectors that must fail with a named code instead of throwing.
 */
import { fromSeptets, packSeptets, splitSms, toSeptets, unpackSeptets } from '../../centre/src/notify/sms/gsm7';
import { decodePdu, encodeSubmit, relativeValidity, type SubmitDecoded } from '../../centre/src/notify/sms/pdu';
import vectors from './fixtures/sms-pdu-vectors.json';

const tpdu = (hex: string, sca: string): string => hex.slice(sca.length);

describe('SMS PDU codec: published vectors', () => {
  it.each(vectors.submit.map((v) => [v.name, v] as const))('encodes SMS-SUBMIT: %s', (_n, v) => {
    const [pdu, ...more] = encodeSubmit(v.to, v.text, v.options);
    expect(more).toEqual([]);
    expect(tpdu(pdu!.hex, '00')).toBe(tpdu(v.published, v.publishedSca));
    expect(pdu!.tpduLength).toBe(v.cmgsLength);
    const back = decodePdu(v.published, v.cmgsLength);
    expect(back).toMatchObject({ ok: true, kind: 'submit', to: v.to, text: v.text });
  });

  it.each(vectors.packing.map((v) => [v.text, v] as const))('packs %j into septets as published', (_t, v) => {
    const septets = toSeptets(v.text)!;
    expect(Buffer.from(packSeptets(septets)).toString('hex').toUpperCase()).toBe(v.hex);
    expect(fromSeptets(unpackSeptets(Buffer.from(v.hex, 'hex'), septets.length))).toBe(v.text);
  });

  it.each(vectors.deliver.map((v) => [v.name, v] as const))('decodes SMS-DELIVER: %s', (_n, v) => {
    expect(decodePdu(v.pdu)).toEqual({ ok: true, kind: 'deliver', from: v.from, text: v.text, encoding: 'gsm7', scts: v.scts });
  });

  it.each(vectors.statusReport.map((v) => [v.name, v] as const))('decodes SMS-STATUS-REPORT: %s', (_n, v) => {
    const { pdu, tpduLength, reference, recipient, status, outcome, scts, dischargedAt } = v;
    expect(decodePdu(pdu, tpduLength)).toEqual({ ok: true, kind: 'status_report', reference, recipient, status, outcome, scts, dischargedAt });
    // the same report with the SCA in front, as 27.005 prints it, and without a length to go by
    expect(decodePdu(`0791448888888F8${pdu}`.replace('0791448888888F8', '07914488888888F8'), tpduLength)).toMatchObject({ ok: true, reference: 0, outcome: 'delivered' });
  });

  it('reads TP-VP steps as §9.2.3.12.1 defines them', () => {
    expect([5, 60, 720, 750, 1440, 2880, 5760, 43_200, 50_000].map(relativeValidity)).toEqual([0, 11, 143, 144, 167, 168, 170, 196, 197]);
  });
});

describe('SMS PDU codec: limits and round trips', () => {
  const submits = (to: string, text: string): SubmitDecoded[] => encodeSubmit(to, text, { statusReport: true, reference: 42, validityMin: 60 }).map((p) => {
    const d = decodePdu(p.hex, p.tpduLength);
    if (!d.ok || d.kind !== 'submit') throw new Error(JSON.stringify(d));
    expect(p.hex.length / 2 - 1).toBe(p.tpduLength);
    expect(d.udOctets).toBeLessThanOrEqual(140);
    return d;
  });
  const joined = (parts: SubmitDecoded[]): string => parts.map((p) => p.text).join('');

  it.each([
    ['160 GSM characters: one part', 'a'.repeat(160), 1, 'gsm7'],
    ['161 GSM characters: two parts of 153 + 8', 'a'.repeat(161), 2, 'gsm7'],
    ['extension characters count twice: 80 euro signs fill one part', '€'.repeat(80), 1, 'gsm7'],
    ['81 euro signs: two parts, no escape pair split', '€'.repeat(81), 2, 'gsm7'],
    ['French with é, à, ç stays GSM 7-bit', 'Chloé a reçu l\'alarme à 10 h — étage 2 · accès [B]', 1, 'gsm7'],
    ['70 UCS-2 characters (Spanish ó): one part', 'ó'.repeat(70), 1, 'ucs2'],
    ['71 UCS-2 characters: two parts of 67 + 4', 'ó'.repeat(71), 2, 'ucs2'],
    ['Greek capitals are in the GSM alphabet', 'ΔΦΓΛΩΠΨΣΘΞ', 1, 'gsm7'],
    ['Cyrillic needs UCS-2', 'Тревога: Хлоя, этаж 2', 1, 'ucs2'],
    ['emoji are surrogate pairs, never split', `${'x'.repeat(66)}🚨${'y'.repeat(10)}`, 2, 'ucs2'],
    ['a 306-character ladder SMS: two GSM parts', 'VIGIL ALARM 1042: SOS · '.repeat(13).slice(0, 306), 2, 'gsm7'],
  ])('%s', (_name, text, count, encoding) => {
    const parts = submits('+33612345678', text);
    expect(parts).toHaveLength(count);
    expect(parts.every((p) => p.encoding === encoding && p.statusReport && p.validity === 11 && p.to === '+33612345678')).toBe(true);
    // our typography becomes GSM's; ç travels as c, as Gammu sends it (gsm7.ts)
    const expected = text.replace(/[·]/g, '-').replace(/—/g, '-').replace(/ç/g, 'c');
    expect(joined(parts)).toBe(expected);
    if (count > 1) expect(parts.map((p) => p.concat)).toEqual(parts.map((_p, i) => ({ reference: 42, total: count, seq: i + 1 })));
    else expect(parts[0]!.concat).toBeUndefined();
    expect(parts.every((p) => p.udl <= (p.encoding === 'gsm7' ? 160 : 140))).toBe(true);
  });

  it('splits at 153 septets, moving an escape pair that would straddle the cut to the next part', () => {
    const parts = splitSms(`${'a'.repeat(152)}€${'b'.repeat(10)}`);
    expect(parts.map((p) => p.units.length)).toEqual([152, 12]);
    expect(parts[1]!.units.slice(0, 2)).toEqual([0x1b, 0x65]);
  });

  it.each([
    ['not hex', 'zz', 'not_hex', undefined],
    ['odd length', '001', 'not_hex', undefined],
    ['empty', '', 'not_hex', undefined],
    ['cut inside the address', '0011000B9164', 'truncated', undefined],
    ['status report cut before its status (+CDS said 25 octets)', '06000B910221815716F270902151012180709021510171', 'truncated', 25],
    ['reserved coding group', '0011000B916407281553F800B0AA0AE8329BFD4697D9EC37', 'unsupported', undefined],
  ])('refuses %s with a named code', (_n, pdu, code, length) => {
    expect(decodePdu(pdu, length)).toMatchObject({ ok: false, code });
  });

  it('survives random input without throwing', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
    for (let i = 0; i < 2000; i++) {
      const hex = Buffer.from(Array.from({ length: 1 + (rnd() % 60) }, rnd)).toString('hex');
      expect(() => decodePdu(hex, rnd() % 64)).not.toThrow();
    }
  });
});
