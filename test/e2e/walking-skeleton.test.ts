/**
 * The walking skeleton through real sockets: a virtual Puck.js running the built firmware presses
 * SOS → BLE advert on the virtual air → gateway transport → bridge → MQTT/TCP to the embedded Aedes
 * broker → centre → SQLite → HTTP API; acknowledge → downlink over MQTT → GATT write → the pendant
 * shows "help is coming"; resolve needs a comment.
 */
import { SystemClock } from '../../common/clock';
import type { SingleBox } from '../../cli/singlebox';
import { VirtualPendant } from '../../simulator/src/pendant';
import { startE2eBox, type E2eBox } from '../helpers/e2e-box';
import { call, login } from '../helpers/http';
import { waitForEvent, waitForEvents, waitForValue } from '../../rig/wait';
import type { LiveEvent } from '../../centre/src/domain/live';
import type { Alarm } from '../../centre/src/store/types';

describe('walking skeleton: SOS from a virtual pendant to the console and back', () => {
  const clock = new SystemClock();
  let e2e: E2eBox;
  let box: SingleBox;
  let pendant: VirtualPendant;
  let base: string;

  beforeAll(async () => {
    e2e = await startE2eBox({
      clock, seed: 3, worker: { id: 'w1', name: 'Wendy Worker', phone: '+44 7700 900123' },
      users: [{ username: 'op', password: 'op-pass', role: 'operator' }, { username: 'viewer', password: 'viewer-pass', role: 'readonly' }],
    });
    ({ box, base } = e2e);
    pendant = new VirtualPendant({ board: 'puckjs', deviceId: e2e.device.id, key: e2e.device.key, clock, air: e2e.air, position: { x: 3, y: 1 } });
    pendant.start();
  });

  afterAll(async () => {
    pendant?.stop();
    await e2e?.stop();
  });

  it('raises, acknowledges (with help-coming on the pendant) and resolves an SOS', async () => {
    const raised = waitForValue<LiveEvent>((fn) => box.centre.live.subscribe(fn), (e) => e.type === 'alarm' && e.alarm.state === 'raised', 10_000, 'the SOS alarm');
    const received = waitForEvent(pendant.board, 'led', (e: { name: string; on: boolean }) => e.name === 'LED2' && e.on, 10_000, "the pendant's 'received' light");
    pendant.pressButton();
    await raised;
    await received;

    const token = await login(base, 'op', 'op-pass');
    const list = await call<{ alarms: (Alarm & { worker: { name: string } })[] }>(base, 'GET', '/api/alarms', { token });
    expect(list.status).toBe(200);
    expect(list.body.alarms).toHaveLength(1);
    const alarm = list.body.alarms[0]!;
    expect(alarm).toMatchObject({ type: 'sos', state: 'raised', workerId: 'w1', siteId: 'site-a' });
    expect(alarm.worker.name).toBe('Wendy Worker');

    const viewer = await login(base, 'viewer', 'viewer-pass');
    expect((await call(base, 'POST', `/api/alarms/${alarm.id}/acknowledge`, { token: viewer })).status).toBe(403);

    // "help coming" is a distinct pattern: three blue flashes
    const helpComing = waitForEvents(pendant.board, 'led', 3, (e: { name: string; on: boolean }) => e.name === 'LED3' && e.on, 10_000, "the pendant's help-coming flashes");
    const ack = await call<{ alarm: Alarm }>(base, 'POST', `/api/alarms/${alarm.id}/acknowledge`, { token });
    expect(ack.status).toBe(200);
    expect(ack.body.alarm).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'user:op' });
    expect((await call(base, 'POST', `/api/alarms/${alarm.id}/acknowledge`, { token })).status).toBe(409);
    await helpComing;

    const noComment = await call(base, 'POST', `/api/alarms/${alarm.id}/resolve`, { token, body: { reason: 'genuine' } });
    expect(noComment.status).toBe(400);
    const blank = await call(base, 'POST', `/api/alarms/${alarm.id}/resolve`, { token, body: { reason: 'genuine', comment: '   ' } });
    expect(blank.status).toBe(400);
    // 'closed' reaches the pendant, which then stops sending its alarm frame
    const closed = waitForEvent(pendant.board, 'advertising', (a: { bytes: Uint8Array } | undefined) => a !== undefined && a.bytes.length < 20, 10_000, 'the pendant to drop its alarm advert');
    const resolved = await call<{ alarm: Alarm }>(base, 'POST', `/api/alarms/${alarm.id}/resolve`, { token, body: { reason: 'genuine', comment: 'Called Wendy, she slipped; colleague on site' } });
    expect(resolved.status).toBe(200);
    expect(resolved.body.alarm).toMatchObject({ state: 'resolved', resolution: 'genuine', resolvedBy: 'user:op' });
    await closed;

    const detail = await call<{ timeline: { action: string; actor: string }[] }>(base, 'GET', `/api/alarms/${alarm.id}`, { token });
    expect(detail.body.timeline.map((t) => t.action)).toEqual(['raised', 'acknowledged', 'resolved']);
    expect((await call<{ alarms: unknown[] }>(base, 'GET', '/api/alarms', { token })).body.alarms).toHaveLength(0);
  });
});
