/**
 * Silence detected, on a virtual clock: a protected pendant going quiet, a gateway's last will and its
 * missed heartbeats, low battery, a failing integration, a wired panic input, a dead notifier, and a
 * pre-alarm whose pendant died during its cancel window — each raised, and restored.
 */
import { startHarness, type Harness, SITE } from '../helpers/centre-harness';

const S = 1000;

describe('supervision', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ config: { supervision: { heartbeatIntervalS: 60, silentAfterHeartbeats: 3, gatewayMissedHeartbeats: 3, lowBatteryPct: 20, preAlarmTimeoutS: 75 } } });
  });

  afterEach(async () => {
    await h.stop();
  });

  const open = async (type: string) => (await h.centre.store.listAlarms({ states: ['raised', 'acknowledged'] })).filter((a) => a.type === type);
  const all = async (type: string) => (await h.centre.store.listAlarms({})).filter((a) => a.type === type);

  it('raises device_silent for a protected pendant after 3 heartbeat periods, and closes it when the pendant is heard', async () => {
    await h.frame('protection_on');
    await h.advance(60 * S);
    await h.frame('heartbeat');
    await h.advance(180 * S - 1);
    expect(await all('device_silent')).toEqual([]);
    await h.advance(1);
    const [a] = await open('device_silent');
    expect(a).toMatchObject({ deviceId: '0000beef', workerId: 'w1', text: 'No frame from the pendant for 3 min while protected' });
    await h.frame('heartbeat');
    expect(await h.centre.store.getAlarm(a!.id)).toMatchObject({ state: 'resolved', resolvedBy: 'system', comment: 'Restored automatically: the pendant was heard again' });
  });

  it('postpones device_silent while frames reach the centre late (a backlog), up to a second silence period', async () => {
    const other = { ...h.device, id: '0000cafe', workerId: null };
    await h.centre.store.addDevice(other);
    await h.frame('protection_on');
    await h.advance(179 * S);
    await h.frame('heartbeat', {}, other, h.clock.now() - 30 * S); // another pendant's frame, 30 s on its way
    await h.advance(1 * S);
    expect(await all('device_silent')).toEqual([]); // its heartbeat may be in the same queue
    expect(h.centre.supervision.counters.get('device_silent_postponed')).toBe(1);
    await h.advance(30 * S); // no late frame for 10 s: no backlog any more
    expect(await open('device_silent')).toHaveLength(1);
  });

  it('raises device_silent after a second silence period however late frames keep arriving', async () => {
    const other = { ...h.device, id: '0000cafe', workerId: null };
    await h.centre.store.addDevice(other);
    await h.frame('protection_on');
    const start = h.clock.now();
    while ((await open('device_silent')).length === 0 && h.clock.now() - start < 600 * S) {
      await h.frame('heartbeat', {}, other, h.clock.now() - 60 * S);
      await h.advance(5 * S);
    }
    expect(await open('device_silent')).toHaveLength(1);
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(360 * S);
    expect(h.clock.now() - start).toBeLessThanOrEqual(365 * S);
  });

  it('does not watch a pendant that is not protected', async () => {
    await h.frame('heartbeat');
    await h.advance(3600 * S);
    expect(await all('device_silent')).toEqual([]);
  });

  it('watches a pendant whose frames say it is protected even if its protection_on was lost', async () => {
    await h.frame('heartbeat', { flags: { protection: true } });
    await h.advance(180 * S);
    expect(await open('device_silent')).toHaveLength(1);
  });

  it('does not restart protection from a late frame older than the protection_off', async () => {
    const on = await h.frame('protection_on');
    await h.frame('protection_off', { counter: on + 5 });
    // a heartbeat sent before the protection_off, delivered late (e.g. after a gateway outage)
    await h.frame('heartbeat', { counter: on + 2, flags: { protection: true } });
    await h.advance(3600 * S);
    expect(await all('device_silent')).toEqual([]);
  });

  it('annotates instead of closing a device_silent alarm an operator took', async () => {
    await h.frame('protection_on');
    await h.advance(180 * S);
    const [a] = await open('device_silent');
    await h.centre.alarms.acknowledge(a!.id, 'user:op');
    await h.frame('heartbeat');
    expect(await h.centre.store.getAlarm(a!.id)).toMatchObject({ state: 'acknowledged' });
    expect((await h.centre.store.listAudit('alarm', a!.id)).map((e) => e.action)).toEqual(['raised', 'acknowledged', 'restored']);
  });

  const status = (online: boolean, at = h.clock.now(), heartbeatS = 30) =>
    h.bus.deliver(`vigil/v1/sites/${SITE}/gateways/gw-1/status`, { v: 1, siteId: SITE, gatewayId: 'gw-1', online, at, heartbeatS });

  it('raises gateway_offline on the last will and restores on the next online status', async () => {
    const connectedAt = h.clock.now();
    await status(true, connectedAt);
    await h.advance(30 * S);
    await status(true);
    await h.advance(5 * S);
    await status(false, connectedAt); // the will was written at connection time
    await h.settle();
    const [a] = await open('gateway_offline');
    expect(a).toMatchObject({ siteId: SITE, subject: `gateway:${SITE}/gw-1`, text: 'Gateway gw-1 is offline (its status or last will says so)' });
    await h.advance(10 * S);
    await status(true);
    await h.settle();
    expect(await h.centre.store.getAlarm(a!.id)).toMatchObject({ state: 'resolved', resolvedBy: 'system' });
    expect(await h.centre.store.getEntity('gateway', `${SITE}/gw-1`)).toMatchObject({ online: true, heartbeatS: 30 });
  });

  it('raises gateway_offline after 3 missed heartbeats (90 s), and ignores a retained status delivered again', async () => {
    const at = h.clock.now();
    await status(true, at);
    await h.advance(60 * S);
    await status(true, at); // the same retained message (a reconnect): no sign of life
    await h.advance(30 * S - 1);
    expect(await all('gateway_offline')).toEqual([]);
    await h.advance(1);
    expect((await open('gateway_offline'))[0]!.text).toBe('No status from gateway gw-1 for 90 s');
  });

  it('warns about a low battery once, and closes the warning when charged', async () => {
    await h.frame('heartbeat', { batteryPct: 19 });
    await h.frame('heartbeat', { batteryPct: 18 });
    await h.frame('low_battery', { batteryPct: 17 });
    expect(await all('low_battery')).toHaveLength(1);
    expect((await all('low_battery'))[0]!.text).toBe('Battery 19 %: charge or swap the pendant');
    await h.frame('heartbeat', { batteryPct: 25 }); // hysteresis: not yet
    expect(await open('low_battery')).toHaveLength(1);
    await h.frame('heartbeat', { batteryPct: 30 });
    expect(await open('low_battery')).toHaveLength(0);
  });

  it('raises integration_failed from an integration status, and restores it', async () => {
    const t = 'vigil/v1/integrations/arc-1/status';
    await h.bus.deliver(t, { v: 1, integrationId: 'arc-1', kind: 'sia-dc09', ok: false, at: h.clock.now(), detail: 'no ACK from the receiver' });
    await h.settle();
    expect((await open('integration_failed'))[0]).toMatchObject({ text: 'sia-dc09 arc-1: no ACK from the receiver', priority: 4 });
    await h.bus.deliver(t, { v: 1, integrationId: 'arc-1', kind: 'sia-dc09', ok: true, at: h.clock.now() });
    await h.settle();
    expect(await open('integration_failed')).toEqual([]);
    await h.bus.deliver('vigil/v1/integrations/arc-1/status', { v: 1, integrationId: 'other', kind: 'x', ok: false, at: 1 });
    expect(h.centre.supervision.counters.get('integration_status_invalid')).toBe(1);
  });

  it('raises sos for a wired panic input, once per press, with the configured point', async () => {
    await h.centre.store.putEntity('zone', { id: 'z-desk', siteId: SITE, name: 'Reception', floor: '0', lat: null, lon: null, x: 1, y: 2 });
    await h.centre.store.putEntity('input', { id: `${SITE}/gw-1/in3`, siteId: SITE, gatewayId: 'gw-1', inputId: 'in3', name: 'Reception desk button', zoneId: 'z-desk', workerId: 'w1' });
    const press = (active: boolean) => h.bus.deliver(`vigil/v1/sites/${SITE}/gateways/gw-1/input`, { v: 1, siteId: SITE, gatewayId: 'gw-1', inputId: 'in3', active, at: h.clock.now() });
    await press(true);
    await press(true); // redelivery or a second press of the same incident
    await h.settle();
    const alarms = await all('sos');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ workerId: 'w1', siteId: SITE, text: 'Wired panic input: Reception desk button (Reception, floor 0)', priority: 2 });
    await press(false);
    expect((await h.centre.store.listAudit('alarm', alarms[0]!.id)).map((a) => a.action)).toEqual(['raised', 'input_released']);
  });

  it('raises notifier_failed after 3 failed deliveries on a channel, and restores it on the next success', async () => {
    h.sms.fail = true;
    await h.centre.sessions.start({ workerId: 'w1', durationMin: 6 }, 'x'); // its reminder goes by SMS
    await h.advance(1 * 60 * S); // reminder at 1 min; it fails, retried after 5 s and 15 s
    await h.advance(20 * S);
    const [a] = await open('notifier_failed');
    expect(a).toMatchObject({ subject: 'notifier:sms', priority: 4 });
    expect(a!.text).toMatch(/^sms: 3 notifications in a row failed: test failure/);
    h.sms.fail = false;
    await h.centre.outbox.enqueue([h.centre.outbox.message({ channel: 'sms', to: '+33600000001', contactName: 'test', subject: 's', text: 'works again' })]);
    await h.settle();
    expect(await h.centre.store.getAlarm(a!.id)).toMatchObject({ state: 'resolved', comment: 'Restored automatically: a notification went through' });
  });

  describe('pre-alarms', () => {
    const FALL = 3; // message type code the pre-alarm is about

    it('raises a pending alarm on the server when the pendant goes silent during its cancel window', async () => {
      const c = await h.frame('pre_alarm', { detail: FALL });
      const [p] = await h.centre.store.listAlarms({ states: ['pending'] });
      expect(p).toMatchObject({ type: 'fall', incidentRef: c });
      await h.advance(75 * S - 1);
      expect((await h.centre.store.getAlarm(p!.id))!.state).toBe('pending');
      await h.advance(1);
      expect(await h.centre.store.getAlarm(p!.id)).toMatchObject({ state: 'raised' });
      const audit = await h.centre.store.listAudit('alarm', p!.id);
      expect(audit.map((a) => [a.action, a.actor, a.data?.['reason']])).toEqual([['pending', 'device:0000beef', undefined], ['raised', 'system', 'pre_alarm_expired']]);
      // escalated: no ladder is configured here, so straight to the never-silent rounds (consoles only)
      expect(await h.centre.store.getEscalationByAlarm(p!.id)).toMatchObject({ state: 'running', phase: 'broadcast', round: 1, broadcast: [{ channel: 'console' }] });
    });

    it('lets the worker cancel during the window, and refuses a cancel once raised', async () => {
      const c = await h.frame('pre_alarm', { detail: FALL });
      await h.advance(10 * S);
      await h.frame('cancel', { detail: FALL, ref: c });
      const [a] = await h.centre.store.listAlarms({});
      expect(a).toMatchObject({ state: 'cancelled' });
      await h.advance(120 * S);
      expect((await h.centre.store.getAlarm(a!.id))!.state).toBe('cancelled');

      const c2 = await h.frame('pre_alarm', { detail: FALL });
      await h.advance(75 * S);
      await h.frame('cancel', { detail: FALL, ref: c2 });
      const second = (await h.centre.store.listAlarms({})).find((x) => x.id !== a!.id)!;
      expect(second.state).toBe('raised');
      expect((await h.centre.store.listAudit('alarm', second.id)).map((e) => e.action)).toEqual(['pending', 'raised', 'cancel_refused']);
    });
  });
});
