/**
 * Two customer organisations with a full set of records each, for the tenant tests: a site with its
 * team, worker, pendant, contact (of every site of the organisation), ladder, zone, beacon, gateway,
 * wired input and floor plan, an open alarm and an active session, the worker's app login, and a
 * console user of every role (the supervisor scoped to the site). Every id and name of organisation
 * `p` contains `p`, and every record it serves carries `organisationId: p`, so an answer that leaks
 * a record of another organisation is found by searching its text for that organisation's id.
 */
import { startHarness, type Harness } from './centre-harness';
import { call, login } from './http';
import type { UserRole } from '../../centre/src/store/types';

export const ROLES = ['admin', 'supervisor', 'operator', 'readonly', 'auditor'] as const satisfies readonly UserRole[];

export interface Tenant {
  org: string;
  site: string;
  team: string;
  worker: string;
  device: string;
  contact: string;
  contactPhone: string;
  ladder: string;
  zone: string;
  beacon: string;
  gateway: string;
  input: string;
  alarm: string;
  session: string;
  /** Console user ids and login tokens by role. */
  users: Record<(typeof ROLES)[number], { id: string; token: string }>;
}

export const passwordOf = (username: string): string => `${username}-password-1`;

export async function seedTenant(h: Harness, org: string, n: number, centreAdminToken: string): Promise<Tenant> {
  const { store, auth } = h.centre;
  const now = h.clock.now();
  const at = { at: now, actor: 'test', action: 'seeded', entity: 'organisation', entityId: org };
  await store.putOrganisation({ id: org, name: `${org} Ltd`, createdAt: now }, at);
  const site = `${org}-site`;
  const t = {
    org, site, team: `${org}-team`, worker: `${org}-w`, device: `0000${n}00${n}`, contact: `${org}-c`, contactPhone: `+4470000000${n}`, ladder: `${org}-l`, zone: `${org}-z`,
    beacon: `${n}0${n}`, gateway: `${site}/gw`, input: `${site}/gw/in1`, alarm: `${org}-alarm`, session: `${org}-sess`,
  };
  await store.upsertSite({ id: site, name: `${org} Site`, organisationId: org });
  await store.putEntity('team', { id: t.team, name: `${org} Team`, siteId: site, organisationId: org });
  // a supervisor contact of every site of the organisation (siteId null): alerted when a ladder is exhausted
  await store.putEntity('contact', { id: t.contact, name: `${org} Contact`, kind: 'supervisor', siteId: null, phone: t.contactPhone, email: null, webhookUrl: null, language: null, organisationId: org });
  await store.putEntity('ladder', { id: t.ladder, name: `${org} Ladder`, steps: [{ contactId: t.contact, channel: 'sms', timeoutS: 60 }], fallback: null, organisationId: org });
  await store.upsertWorker({ id: t.worker, name: `${org} Worker`, phone: null, siteId: site, teamId: t.team, organisationId: org });
  await store.addDevice({ id: t.device, key: `${n}f`.repeat(16), board: 'puckjs', workerId: t.worker, siteId: site, createdAt: now, lastCounter: -1, lastSeenAt: null, batteryPct: null });
  await store.putEntity('zone', { id: t.zone, siteId: site, name: `${org} Zone`, floor: 'G', lat: null, lon: null, x: 1, y: 1, organisationId: org });
  await store.putEntity('beacon', { id: t.beacon, siteId: site, zoneId: t.zone, name: `${org} Beacon`, organisationId: org });
  await store.putEntity('gateway', { id: t.gateway, siteId: site, gatewayId: 'gw', name: `${org} Gateway`, online: null, lastSeenAt: null, lastStatusAt: null, heartbeatS: null });
  await store.putEntity('input', { id: t.input, siteId: site, gatewayId: 'gw', inputId: 'in1', name: `${org} Input`, zoneId: t.zone, workerId: t.worker });
  await store.putFloorPlan({ siteId: site, floor: 'G', contentType: 'image/png', widthM: 10, heightM: 10, updatedAt: now, updatedBy: 'test' }, Buffer.from(`png of ${org}`));
  await store.createAlarm({
    id: t.alarm, type: 'sos', state: 'raised', priority: 2, siteId: site, deviceId: t.device, workerId: t.worker, incidentRef: 1, lastCounter: 1, position: null, positionAt: null,
    createdAt: now, raisedAt: now, updatedAt: now, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, comment: null,
  }, { ...at, action: 'raised', entity: 'alarm', entityId: t.alarm });
  await store.createWorkSession({
    id: t.session, owner: t.worker, workerId: t.worker, deviceId: t.device, siteId: site, kind: 'timed', state: 'active', startedAt: now, startedBy: 'test', plannedEndAt: now + 3_600_000,
    reminderBeforeS: 60, reminderSentAt: null, checkInIntervalS: null, checkInGraceS: 60, nextCheckInAt: null, checkInPromptedAt: null, lastCheckInAt: null, note: `${org} note`,
    phone: null, callList: [], endedAt: null, endedBy: null, updatedAt: now,
  }, { ...at, action: 'session_started', entity: 'session', entityId: t.session });
  const login = await call(h.base, 'PUT', `/api/workers/${t.worker}/app-login`, { token: centreAdminToken, body: { username: `${org}-app`, password: passwordOf(`${org}-app`) } });
  if (login.status !== 200) throw new Error(`app login of ${org}: ${login.status}`);
  const users = {} as Tenant['users'];
  for (const role of ROLES) {
    const username = `${org}-${role}`;
    const u = await auth.createUser({ username, password: passwordOf(username), role, organisationId: org, ...(role === 'supervisor' ? { scope: { siteIds: [site], teamIds: [] } } : {}) });
    users[role] = { id: u.id, token: (await auth.login('tenants', username, passwordOf(username)))!.token };
  }
  return { ...t, users };
}

/** Everything of the organisation the API could change, as the store holds it (to compare before and after). */
export async function snapshot(h: Harness, t: Tenant): Promise<unknown> {
  const { store } = h.centre;
  const entities = [];
  for (const [kind, id] of [['team', t.team], ['contact', t.contact], ['ladder', t.ladder], ['zone', t.zone], ['beacon', t.beacon], ['gateway', t.gateway], ['input', t.input]] as const) {
    entities.push(await store.getEntity(kind, id));
  }
  return {
    organisation: await store.getOrganisation(t.org), site: await store.getSite(t.site), worker: await store.getWorker(t.worker), device: await store.getDevice(t.device), entities,
    alarm: await store.getAlarm(t.alarm), session: await store.getWorkSession(t.session), plans: await store.listFloorPlans(t.site),
    users: (await store.listUsers()).filter((u) => u.organisationId === t.org), credential: await store.getWorkerCredential({ workerId: t.worker }),
    settings: await store.deviceSettings(t.device),
  };
}

/** A centre on HTTP with its own admin (of no organisation) and the two organisations acmex and bluex seeded. */
export async function startTenantPair(): Promise<{ h: Harness; centreAdmin: string; a: Tenant; b: Tenant }> {
  const h = await startHarness({ http: true });
  await h.centre.auth.createUser({ username: 'centre-admin', password: passwordOf('centre-admin'), role: 'admin' });
  const centreAdmin = await login(h.base, 'centre-admin', passwordOf('centre-admin'));
  const a = await seedTenant(h, 'acmex', 1, centreAdmin);
  const b = await seedTenant(h, 'bluex', 2, centreAdmin);
  return { h, centreAdmin, a, b };
}
