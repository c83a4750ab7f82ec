import { type CodeKey, DEFAULT_CODES, resolveCodes } from '../../arc/src/codes';
import type { ArcLinkConfig } from '../../arc/src/config';
import { alarmTransition, cleanText, linkAccounts, type SentState, testDraft } from '../../arc/src/events';
import { ALARM_TYPE_NAMES, type AlarmPayload } from '../../protocol/src';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

function alarm(over: Partial<AlarmPayload> = {}): AlarmPayload {
  return {
    v: 1, id: 'al-1', number: '17', type: 'sos', state: 'raised', priority: 2, siteId: 'site-a', deviceId: '0a0b0c0d', workerId: 'w1',
    raisedAt: T0, updatedAt: T0, acknowledgedAt: null, resolvedAt: null, resolution: null, ...over,
  };
}

type LinkPart = Pick<ArcLinkConfig, 'format' | 'accounts' | 'extendedData'>;

function link(over: Partial<LinkPart> = {}): LinkPart {
  return {
    format: 'SIA-DCS',
    accounts: { transmitter: '0001', unmapped: 'reject', sites: { 'site-a': { account: '1234', area: 2 }, 'site-b': {} }, workers: { w1: { user: 7 }, w9: { user: 9, account: '5678' } } },
    extendedData: { position: true, text: true },
    ...over,
  };
}

function run(a: AlarmPayload, prev?: SentState, l: LinkPart = link(), overrides = {}) {
  return alarmTransition(a, prev, { link: l, codes: resolveCodes(overrides) });
}

describe('alarm changes → ARC events', () => {
  it('sends a raised SOS once, as PA with the worker as zone, the site area, position and text', () => {
    const t = run(alarm({ position: { kind: 'gps', lat: 52.3702, lon: 4.8952 }, text: 'button held 2 s' }));
    expect(t.next).toBe('raised');
    expect(t.events).toEqual([
      expect.objectContaining({ alarmId: 'al-1', kind: 'alarm', token: 'SIA-DCS', account: '1234', data: '#1234|Nri2/PA007', xdata: expect.stringMatching(/^\[X4\.895200\]\[Y52\.370200\]\[ISOS: button held 2 s; alarm 17; worker w1; site site-a; device 0a0b0c0d; raised 08:00:00Z\]$/) }),
    ]);
    expect(run(alarm(), 'raised').events).toEqual([]);
    expect(run(alarm({ state: 'acknowledged' }), 'raised').events).toEqual([]);
  });

  it('sends a duress that took an open SOS over (same alarm, now duress) as a duress event, once', () => {
    const t = run(alarm({ type: 'duress', priority: 1 }), 'raised');
    expect(t.next).toBe('duress');
    expect(t.events).toEqual([expect.objectContaining({ kind: 'alarm', data: '#1234|Nri2/HA007', xdata: expect.stringContaining('DURESS silent alarm, never call the worker, taking over the open alarm 17') })]);
    expect(run(alarm({ type: 'duress', state: 'acknowledged' }), 'duress').events).toEqual([]);
    expect(run(alarm({ type: 'duress' })).next).toBe('duress'); // raised as duress: nothing more to send later
    expect(run(alarm({ type: 'duress', state: 'resolved', resolution: 'genuine' }), 'duress').events.map((e) => [e.kind, e.data])).toEqual([['restore', '#1234|Nri2/HH007']]);
  });

  it('sends nothing for a pre-alarm still pending', () => {
    expect(run(alarm({ state: 'pending' }))).toMatchObject({ next: undefined, events: [], skipped: 'pending' });
  });

  it('sends the alarm when the first change it sees is an acknowledgement of an open alarm', () => {
    expect(run(alarm({ state: 'acknowledged' })).events.map((e) => e.data)).toEqual(['#1234|Nri2/PA007']);
  });

  it('restores a resolved alarm (PH) with the reason, once', () => {
    const t = run(alarm({ state: 'resolved', resolution: 'false_alarm', resolvedAt: T0 + 60_000 }), 'raised');
    expect(t.next).toBe('closed');
    expect(t.events).toEqual([expect.objectContaining({ kind: 'restore', data: '#1234|Nri2/PH007', xdata: expect.stringContaining('RESTORE SOS: resolved (false_alarm)') })]);
    expect(run(alarm({ state: 'resolved' }), 'closed').events).toEqual([]);
  });

  it('reports a pre-alarm the worker cancelled as an abort (AB / 406)', () => {
    const t = run(alarm({ type: 'fall', state: 'cancelled' }));
    expect(t.events.map((e) => [e.kind, e.data])).toEqual([['cancel', '#1234|Nri2/AB007']]);
    const cid = run(alarm({ type: 'fall', state: 'cancelled' }), undefined, link({ format: 'ADM-CID' }));
    expect(cid.events.map((e) => e.data)).toEqual(['#1234|1406 02 007']);
    expect(run(alarm({ state: 'cancelled' }), undefined, link(), { cancelled: { send: false } }).events).toEqual([]);
  });

  it('does not report an alarm it never saw open once it is resolved', () => {
    expect(run(alarm({ state: 'resolved' }))).toMatchObject({ next: 'closed', events: [], skipped: 'closed_unseen' });
  });

  it('speaks Contact ID: qualifier 1 for the event, 3 for the restore, partition = area, zone = user', () => {
    const l = link({ format: 'ADM-CID' });
    expect(run(alarm({ type: 'duress' }), undefined, l).events.map((e) => [e.token, e.data])).toEqual([['ADM-CID', '#1234|1121 02 007']]);
    expect(run(alarm({ type: 'duress', state: 'resolved' }), 'raised', l).events.map((e) => e.data)).toEqual(['#1234|3121 02 007']);
  });

  it.each(ALARM_TYPE_NAMES.map((t) => [t]))('has a code for %s', (type) => {
    const codes = DEFAULT_CODES[type as CodeKey];
    expect(codes.sia).toMatch(/^[A-Z]{2}$/);
    expect(codes.cid).toBeGreaterThanOrEqual(100);
    const sia = run(alarm({ type }));
    expect(sia.events.length).toBe(codes.send ? 1 : 0);
  });

  it('sends no SIA restore where DC-03 has none, but still closes the alarm', () => {
    const t = run(alarm({ type: 'check_in_missed', state: 'resolved' }), 'raised');
    expect(t).toMatchObject({ next: 'closed', events: [] });
    expect(run(alarm({ type: 'check_in_missed', state: 'resolved' }), 'raised', link({ format: 'ADM-CID' })).events.map((e) => e.data)).toEqual(['#1234|3102 02 007']);
  });

  it('uses the per-link overrides', () => {
    const t = run(alarm({ type: 'fall' }), undefined, link(), { fall: { sia: 'QA', siaRestore: 'QR' }, low_battery: { send: false } });
    expect(t.events.map((e) => e.data)).toEqual(['#1234|Nri2/QA007']);
    expect(run(alarm({ type: 'low_battery' }), undefined, link(), { low_battery: { send: false } }).events).toEqual([]);
  });

  it('takes the worker’s account first, then the site’s, then the default', () => {
    expect(run(alarm({ workerId: 'w9' })).events[0]!.data).toBe('#5678|Nri2/PA009');
    expect(run(alarm({ workerId: null })).events[0]!.data).toBe('#1234|Nri2/PA000');
    const noSite = run(alarm({ siteId: 'site-b', workerId: 'w1' }), undefined, link({ accounts: { ...link().accounts, default: 'ABC' } }));
    expect(noSite.events[0]!.data).toBe('#ABC|NPA007');
  });

  it('records an alarm with no account as rejected, or ignores it when told to', () => {
    const t = run(alarm({ siteId: 'site-b' }));
    expect(t.events).toEqual([expect.objectContaining({ account: '', rejectReason: expect.stringContaining("no account for site 'site-b'") })]);
    const ignored = run(alarm({ siteId: 'site-b' }), undefined, link({ accounts: { ...link().accounts, unmapped: 'ignore' } }));
    expect(ignored).toMatchObject({ events: [], skipped: 'unmapped_ignored' });
  });

  it('gives a beacon position as location on site, and can leave extended data out', () => {
    expect(run(alarm({ position: { kind: 'beacon', beaconId: 42, rssiDbm: -70 } })).events[0]!.xdata).toMatch(/^\[Lbeacon 42\]\[I/);
    expect(run(alarm({ position: { kind: 'gps', lat: 1, lon: 2 } }), undefined, link({ extendedData: { position: false, text: false } })).events[0]!.xdata).toBe('');
  });

  it('builds test reports for every account', () => {
    const l = link();
    expect(linkAccounts(l.accounts).sort()).toEqual(['0001', '1234', '5678']);
    expect(testDraft('periodic_test', '1234', { link: l, codes: resolveCodes() })).toMatchObject({ kind: 'test', data: '#1234|NRP000' });
    expect(testDraft('manual_test', '1234', { link: link({ format: 'ADM-CID' }), codes: resolveCodes() }).data).toBe('#1234|1601 00 000');
  });

  it('keeps text to printable ASCII without DC-09 delimiters', () => {
    expect(cleanText('Chloé [B] | x^y\n\tz')).toBe('Chloe B x y z');
    expect(cleanText('a'.repeat(500))).toHaveLength(200);
  });
});
