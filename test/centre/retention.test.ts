/**
 * Retention applied by the centre's scheduler (docs/centre.md "Retention and people's data"): every
 * hour, each kind of record by its own days from the config, null keeping a kind for ever; the
 * policy is resolved per customer organisation (one today) so tenants can override it kind by kind.
 */
import { VirtualClock } from '../../common/clock';
import { ConfigError } from '../../common/schema';
import { resolveCentreConfig } from '../../centre/src/config';
import { cutoffs, retentionFor } from '../../centre/src/ops/retention';
import { startHarness, type Harness } from '../helpers/centre-harness';

const DAY = 86_400_000;
const H = 3600_000;

// The hour is stepped on the virtual clock through every 1 s poll of the centre (outbox, sessions),
// each a store query: about 20 s on a loaded 2-core machine.
jest.setTimeout(120_000);

describe('retention', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('turns days into cutoffs, null keeping a kind for ever', () => {
    const base = { positionsDays: 30, eventsDays: 90, attemptsDays: 400, telemetryDays: 30, alarmsDays: 730, sessionsDays: null, auditDays: 365 };
    expect(cutoffs(retentionFor(base), 1000 * DAY)).toEqual({
      positions: 970 * DAY, events: 910 * DAY, notifications: 600 * DAY, alarms: 270 * DAY, sessions: null, audit: 635 * DAY,
    });
    expect(resolveCentreConfig({ dataDir: 'x', mqtt: { url: 'mqtt://a', clientId: 'c' }, http: { host: '::', port: 0 }, retention: { alarmsDays: null } } as never).retention.alarmsDays).toBeNull();
    expect(() => resolveCentreConfig({ dataDir: 'x', mqtt: { url: 'mqtt://a', clientId: 'c' }, http: { host: '::', port: 0 }, retention: { auditDays: 7 } } as never)).toThrow(ConfigError);
  });

  it('purges old closed alarms and audit entries every hour, keeping open alarms and kinds kept for ever', async () => {
    const clock = new VirtualClock();
    h = await startHarness({ clock, config: { retention: { positionsDays: 30, eventsDays: 90, attemptsDays: 400, telemetryDays: 30, alarmsDays: 30, sessionsDays: null, auditDays: 30 } } });
    const { store } = h.centre;
    const old = clock.now() - 40 * DAY;
    const alarm = (id: string, state: 'resolved' | 'raised') => ({
      id, type: 'sos' as const, state, priority: 2, siteId: 'site-a', deviceId: '0000beef', workerId: 'w1', incidentRef: 1, lastCounter: 1, subject: `device:${id}`,
      position: null, positionAt: null, createdAt: old, raisedAt: old, updatedAt: old, acknowledgedAt: null, acknowledgedBy: null,
      resolvedAt: state === 'resolved' ? old + 60_000 : null, resolvedBy: null, resolution: state === 'resolved' ? 'test' as const : null, comment: null,
    });
    await store.createAlarm(alarm('gone', 'resolved'), { at: old, actor: 'system', action: 'raised', entity: 'alarm', entityId: 'gone' });
    await store.createAlarm(alarm('kept', 'raised'), { at: old, actor: 'system', action: 'raised', entity: 'alarm', entityId: 'kept' });
    await store.appendAudit({ at: clock.now(), actor: 'user:olga', action: 'login', entity: 'user', entityId: 'olga' });

    await clock.advanceAsync(H - 1);
    await h.settle();
    expect(await store.getAlarm('gone')).toBeDefined(); // not before the hour
    await clock.advanceAsync(1);
    await h.settle();
    expect(await store.getAlarm('gone')).toBeUndefined();
    expect(await store.getAlarm('kept')).toBeDefined();
    expect((await store.searchAudit({ to: clock.now() - 30 * DAY })).total).toBe(0);
    expect((await store.searchAudit({ actions: ['login'] })).total).toBe(1);
  });
});
