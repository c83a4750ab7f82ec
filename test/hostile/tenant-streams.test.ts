/**
 * Organisations in what the centre sends (issue 21 part 1): the live stream of an organisation's
 * user never carries another organisation's event, and an alarm's escalation never calls another
 * organisation's contacts — even contacts "of every site", which before organisations were every
 * alarm's. Real alarms: frames through the real ingest, the real escalation, SMS at the recording notifier.
 */
import type { Harness } from '../helpers/centre-harness';
import { call } from '../helpers/http';
import { startTenantPair, type Tenant } from '../helpers/tenants';

let h: Harness;
let a: Tenant;
let b: Tenant;
let centreAdmin: string;

beforeAll(async () => {
  ({ h, centreAdmin, a, b } = await startTenantPair());
  // the default organisation's own supervisor, for every one of its sites
  await h.centre.store.putEntity('contact', { id: 'default-sup', name: 'Default Sup', kind: 'supervisor', siteId: null, phone: '+447000000009', email: null, webhookUrl: null, language: null });
}, 60_000);

afterAll(() => h.stop());

/** Reads an event stream until `re` matches what came (a safety deadline, not a wait for time to pass). */
async function openStream(token: string): Promise<{ until: (re: RegExp) => Promise<string>; close: () => void }> {
  const ticket = (await call<{ ticket: string }>(h.base, 'POST', '/api/stream/ticket', { token })).body.ticket;
  const ac = new AbortController();
  const res = await fetch(`${h.base}/api/stream?ticket=${ticket}`, { signal: ac.signal });
  const reader = res.body!.getReader();
  let text = '';
  return {
    close: () => ac.abort(),
    until: async (re) => {
      const deadline = Date.now() + 5000;
      while (!re.test(text)) {
        const timeout = new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`no ${re} in the stream within 5 s; got: ${text}`)), Math.max(0, deadline - Date.now())).unref());
        const { value, done } = await Promise.race([reader.read(), timeout]);
        if (done) throw new Error('stream ended');
        text += Buffer.from(value).toString('utf8');
      }
      return text;
    },
  };
}

it('streams an organisation\'s users only their organisation\'s events', async () => {
  const streams = await Promise.all([a.users.operator.token, a.users.admin.token, a.users.readonly.token].map(openStream));
  for (const s of streams) await s.until(/event: hello/);
  // another organisation's alarm changes, the default organisation's pendant raises an alarm, then one of A's changes
  expect((await call(h.base, 'POST', `/api/alarms/${b.alarm}/acknowledge`, { token: centreAdmin })).status).toBe(200);
  expect((await call(h.base, 'POST', `/api/alarms/${b.alarm}/notes`, { token: centreAdmin, body: { text: 'bluex note' } })).status).toBe(201);
  await h.frame('sos');
  expect((await call(h.base, 'POST', `/api/sessions/${b.session}/stop`, { token: centreAdmin })).status).toBe(200);
  expect((await call(h.base, 'POST', `/api/alarms/${a.alarm}/acknowledge`, { token: a.users.operator.token })).status).toBe(200);
  for (const s of streams) {
    const text = await s.until(new RegExp(`"id":"${a.alarm}"[^\\n]*"state":"acknowledged"`));
    s.close();
    expect(text).not.toContain(b.org);
    expect(text).not.toContain('0000beef');
    expect(text).not.toContain('site-a');
  }
  // while the centre's own staff hear every organisation
  const staff = await openStream(centreAdmin);
  await staff.until(/event: hello/);
  expect((await call(h.base, 'POST', `/api/alarms/${b.alarm}/resolve`, { token: centreAdmin, body: { reason: 'test', comment: 'done' } })).status).toBe(200);
  await staff.until(new RegExp(`"id":"${b.alarm}"[^\\n]*"state":"resolved"`));
  staff.close();
});

it('never calls another organisation\'s contacts about an alarm', async () => {
  h.sms.sent.length = 0;
  await h.frame('sos');
  await h.advance(10 * 60_000);
  const to = new Set(h.sms.sent.map((n) => n.to));
  // the default organisation's supervisor is alerted; the other organisations' supervisors "of every site" are not
  expect(to.has('+447000000009')).toBe(true);
  expect(to.has(a.contactPhone)).toBe(false);
  expect(to.has(b.contactPhone)).toBe(false);
});
