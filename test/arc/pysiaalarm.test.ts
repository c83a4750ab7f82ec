/**
 * Against the real pysiaalarm (the receiver behind Home Assistant's SIA integration) where a checkout
 * is installed (test/arc/pysiaalarm/peer.ts says where it is looked for): it still answers as recorded
 * in the fixtures and as the stand-in does, and Vigil's link delivers to it — plain, encrypted with a
 * text key, without receiver number — reads its refusals, and sets a refused event aside while a
 * later duress alarm goes through. Where it is missing these tests skip and say so; the recorded
 * answers are tested in every run (pysia-fixtures.test.ts, refusal.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CodeKey, DEFAULT_CODES } from '../../arc/src/codes';
import type { ArcLinkConfig } from '../../arc/src/config';
import type { EventDraft } from '../../arc/src/events';
import { waitForEvent } from '../../rig/wait';
import { FAST_TIMING, Harness, linkConfig } from './harness';
import { PYSIA_ACCOUNTS, PYSIA_CASES, PYSIA_KEY } from './pysiaalarm/cases';
import { findPysiaalarm, type PysiaAccount, PysiaalarmReceiver } from './pysiaalarm/peer';
import { answerShape, askOnce, caseFrame } from './pysiaalarm/wire';
import { pysiaAnswer } from '../../rig/arc-receiver/pysia-standin';

const found = findPysiaalarm();
const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'pysiaalarm-answers.json'), 'utf8')) as { cases: { name: string; answer: string }[] };
if ('missing' in found) {
  console.warn(`SKIPPED: the tests against the real pysiaalarm receiver did not run: ${found.missing}. Its recorded answers were still tested (test/arc/pysia-fixtures.test.ts).`);
}
const describeLive = 'src' in found ? describe : describe.skip;

describeLive('ARC output against the real pysiaalarm receiver', () => {
  const src = 'src' in found ? found.src : '';
  let receivers: PysiaalarmReceiver[] = [];
  let h: Harness;

  beforeEach(() => (h = new Harness()));
  afterEach(async () => {
    await h.cleanup();
    await Promise.all(receivers.map((r) => r.stop()));
    receivers = [];
  });

  async function receiver(accounts: PysiaAccount[]): Promise<PysiaalarmReceiver> {
    const r = await PysiaalarmReceiver.start(src, accounts);
    receivers.push(r);
    return r;
  }

  function link(port: number, over: Record<string, unknown> = {}, withReceiver = true): ArcLinkConfig {
    const c = linkConfig([{ name: 'primary', port }], { timing: { ...FAST_TIMING, ackTimeoutMs: 2000 }, ...over });
    return withReceiver ? c : { ...c, paths: c.paths.map(({ receiver: _r, ...p }) => p) };
  }

  it('still answers every recorded case as recorded, and as the stand-in does', async () => {
    const r = await receiver(PYSIA_ACCOUNTS);
    const accounts = Object.fromEntries(PYSIA_ACCOUNTS.map((a) => [a.account_id, a.key]));
    for (const c of PYSIA_CASES) {
      const frame = caseFrame(c, Date.now());
      const live = await askOnce(r.port, frame);
      const key = accounts[c.message.account];
      const want = recorded.cases.find((x) => x.name === c.name)!.answer;
      expect([c.name, answerShape(live, key)]).toEqual([c.name, answerShape(want, key)]);
      expect([c.name, answerShape(pysiaAnswer(frame, Date.now(), { accounts })!, key)]).toEqual([c.name, answerShape(live, key)]);
    }
  });

  it('gets every event code Vigil sends by default, SIA-DCS and Contact ID, each with its restore', async () => {
    const r = await receiver([{ account_id: '1234' }, { account_id: '0001' }]);
    const rows = Object.entries(DEFAULT_CODES) as [CodeKey, (typeof DEFAULT_CODES)[CodeKey]][];
    const sia: EventDraft[] = rows.flatMap(([k, c]) => [c.sia, ...(c.siaRestore ? [c.siaRestore] : [])].map((code) => ({ alarmId: null, kind: 'alarm', token: 'SIA-DCS', account: '1234', data: `#1234|Nri1/${code}007`, xdata: `[I${k}]` })));
    const cidEvents: EventDraft[] = rows.flatMap(([k, c]) => [1, ...(c.cidRestore ? [3] : [])].map((q) => ({ alarmId: null, kind: 'alarm', token: 'ADM-CID', account: '1234', data: `#1234|${q}${c.cid} 01 007`, xdata: `[I${k}]` })));
    h.start(link(r.port));
    h.enqueue(...sia, ...cidEvents);
    await h.waitDelivered(sia.length + cidEvents.length, 20_000);
    expect(h.queue.count('rejected')).toBe(0);
    const got = await r.waitEvents(sia.length + cidEvents.length, (e) => e.messageType !== 'NULL');
    expect(got.filter((e) => e.messageType === 'SIA-DCS').map((e) => e.code)).toEqual(sia.map((d) => /\/([A-Z]{2})007$/.exec(d.data)![1]));
    expect(got.filter((e) => e.messageType === 'ADM-CID')).toHaveLength(cidEvents.length);
  });

  it.each([
    ['with a receiver number', true],
    ['without receiver number (its answers say None)', false],
  ])('delivers plain SIA-DCS %s', async (_what, withReceiver) => {
    const r = await receiver([{ account_id: '1234' }, { account_id: '0001' }]);
    h.start(link(r.port, {}, withReceiver));
    h.enqueue({ alarmId: 'a1', kind: 'alarm', token: 'SIA-DCS', account: '1234', data: '#1234|Nri1/HA007', xdata: '[X4.895200][Y52.370200][IDURESS]' });
    await h.waitDelivered(1);
    expect((await r.waitEvents(1, (e) => e.messageType === 'SIA-DCS')).map((e) => [e.code, e.account, e.receiver])).toEqual([['HA', '1234', withReceiver ? 'R1' : null]]);
    expect(h.link.status()).toMatchObject({ ok: true });
  });

  it('delivers encrypted with a 16-character text key, as Home Assistant configures it', async () => {
    const r = await receiver([{ account_id: '1234', key: PYSIA_KEY }, { account_id: '0001', key: PYSIA_KEY }]);
    h.start(link(r.port, { key: PYSIA_KEY, keyFormat: 'text' }));
    h.enqueue({ alarmId: 'a1', kind: 'alarm', token: 'SIA-DCS', account: '1234', data: '#1234|Nri1/PA007', xdata: '[ISOS]' });
    await h.waitDelivered(1);
    expect((await r.waitEvents(1, (e) => e.messageType === 'SIA-DCS')).map((e) => [e.code, e.encrypted])).toEqual([['PA', true]]);
  });

  it('sets aside a Contact ID event it refuses (two extended blocks) while a later duress alarm goes through', async () => {
    const r = await receiver([{ account_id: '1234' }, { account_id: '0001' }]);
    h.start(link(r.port, { format: 'ADM-CID', timing: { ...FAST_TIMING, refusalsBeforeSetAside: 3 } }));
    const aside = waitForEvent<[unknown, string]>(h.link, 'rejected', () => true, 10_000, 'the refused event set aside');
    h.enqueue(
      { alarmId: 'a1', kind: 'alarm', token: 'ADM-CID', account: '1234', data: '#1234|1100 01 007', xdata: '[X4.895200][Y52.370200]' },
      { alarmId: 'a2', kind: 'alarm', token: 'ADM-CID', account: '1234', data: '#1234|1121 01 007', xdata: '[IDURESS]' },
    );
    const [, why] = await aside;
    expect(why).toMatch(/^primary: NAK with the receiver clock in agreement.*\(refused 3 times\)$/);
    expect(h.delivered.map((d) => d.event.alarmId)).toEqual(['a2']);
    expect((await r.waitEvents(1, (e) => e.messageType === 'ADM-CID')).map((e) => e.code)).toEqual(['HA']);
    expect(h.link.status()).toMatchObject({ ok: false, rejected: 1, paths: { primary: { state: 'up' } } });
  });

  it('reads its bare "NAK" for an unknown account and sets the event aside', async () => {
    const r = await receiver([{ account_id: '1234' }, { account_id: '0001' }]);
    h.start(link(r.port, { timing: { ...FAST_TIMING, refusalsBeforeSetAside: 2 } }));
    const aside = waitForEvent<[unknown, string]>(h.link, 'rejected', () => true, 10_000, 'the event set aside');
    h.enqueue({ alarmId: 'a1', kind: 'alarm', token: 'SIA-DCS', account: '9999', data: '#9999|NPA007', xdata: '' });
    const [, why] = await aside;
    expect(why).toBe('primary: a bare "NAK" without framing: the receiver does not know account 9999 (refused 2 times)');
    expect(h.exchanges.filter((e) => e.token === 'SIA-DCS').every((e) => e.result === 'NAK')).toBe(true);
  });
});
