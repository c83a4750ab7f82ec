/**
 * Managing the registry (API and `vigil centre import`): every record is validated by its schema, its
 * references are checked (a ladder's contacts, a beacon's zone, an input's worker…), deletes are refused
 * while something still refers to the record, and every change is audited with its actor.
 *
 * Organisations (issue 21 part 1): every action is taken in an organisation — `org`, the caller's
 * (an organisation's admin), or null for the centre's own staff, whose record goes to the organisation
 * the body names, else to the one the record has, else to its site's, else `default`. A record is
 * only ever changed or deleted within its organisation (another one's is a plain `not_found`, as if it
 * did not exist), every record it refers to must be of the same organisation, and a record never
 * moves to another organisation.
 */
import type { Clock } from '../../../common/clock';
import { check } from '../../../common/schema';
import { knownTimeZone } from '../escalation/language';
import { REGISTRY_SCHEMAS } from './schemas';
import type { EntityKind, EntityMap, GatewayRecord, Owned, Site, Store, Worker } from '../store/types';
import { DEFAULT_ORGANISATION, WORKER_CONTACT } from '../store/types';

export type AdminResult<T> = { ok: true; value: T } | { ok: false; code: 'invalid' | 'not_found' | 'conflict'; message: string; errors?: string[] };

export class RegistryAdmin {
  constructor(private readonly ctx: { store: Store; clock: Clock }) {}

  async putSite(body: unknown, actor: string, org: string | null = null): Promise<AdminResult<Site>> {
    const v = check<Required<Site>>(REGISTRY_SCHEMAS.site, structuredClone(body));
    if (!v.ok) return invalid(v.errors);
    const owner = await this.owner(org, v.value, await this.ctx.store.getSite(v.value.id), 'site', () => Promise.resolve(undefined));
    if (!owner.ok) return owner;
    v.value.organisationId = owner.value;
    if (v.value.ladderId && !this.same(owner.value, await this.ctx.store.getEntity('ladder', v.value.ladderId))) return missing('ladder', v.value.ladderId);
    if (v.value.timeZone && !knownTimeZone(v.value.timeZone)) return invalid([`timeZone: unknown time zone '${v.value.timeZone}' (an IANA name such as Europe/Paris)`]);
    await this.ctx.store.upsertSite(v.value);
    await this.audit(actor, 'site_saved', 'site', v.value.id);
    return { ok: true, value: v.value };
  }

  async putWorker(body: unknown, actor: string, org: string | null = null): Promise<AdminResult<Worker>> {
    const v = check<Required<Worker>>(REGISTRY_SCHEMAS.worker, structuredClone(body));
    if (!v.ok) return invalid(v.errors);
    const w = v.value;
    const { store } = this.ctx;
    const owner = await this.owner(org, w, await store.getWorker(w.id), 'worker', () => this.siteOrganisation(w.siteId));
    if (!owner.ok) return owner;
    w.organisationId = owner.value;
    if (w.siteId && !this.same(owner.value, await store.getSite(w.siteId))) return missing('site', w.siteId);
    if (w.ladderId && !this.same(owner.value, await store.getEntity('ladder', w.ladderId))) return missing('ladder', w.ladderId);
    if (w.teamId && !this.same(owner.value, await store.getEntity('team', w.teamId))) return missing('team', w.teamId);
    await this.ctx.store.upsertWorker(w);
    await this.audit(actor, 'worker_saved', 'worker', w.id);
    return { ok: true, value: w };
  }

  async put<K extends Exclude<EntityKind, 'gateway'>>(kind: K, body: unknown, actor: string, org: string | null = null): Promise<AdminResult<EntityMap[K]>> {
    const v = check<EntityMap[K]>(REGISTRY_SCHEMAS[kind], structuredClone(body));
    if (!v.ok) return invalid(v.errors);
    const rec = v.value;
    if (kind === 'input') {
      const i = rec as EntityMap['input'];
      i.id = `${i.siteId}/${i.gatewayId}/${i.inputId}`;
    }
    const owner = await this.owner(org, rec, await this.ctx.store.getEntity(kind, rec.id), kind, () => this.siteOrganisation((rec as { siteId?: string | null }).siteId));
    if (!owner.ok) return owner;
    rec.organisationId = owner.value;
    const problem = await this.references(kind, rec, owner.value);
    if (problem) return problem;
    await this.ctx.store.putEntity(kind, rec, this.entry(actor, `${kind}_saved`, kind, rec.id));
    return { ok: true, value: rec };
  }

  /** Names a gateway (its liveness fields belong to supervision and are kept). */
  async putGateway(body: unknown, actor: string, org: string | null = null): Promise<AdminResult<GatewayRecord>> {
    const v = check<{ siteId: string; gatewayId: string; name: string | null; organisationId?: string }>(REGISTRY_SCHEMAS.gateway, structuredClone(body));
    if (!v.ok) return invalid(v.errors);
    const site = await this.ctx.store.getSite(v.value.siteId);
    // A gateway is its site's: the site must be of the caller's organisation.
    if (!site || (org !== null && site.organisationId !== org)) return missing('site', v.value.siteId);
    const id = `${v.value.siteId}/${v.value.gatewayId}`;
    const known = await this.ctx.store.getEntity('gateway', id);
    const g: GatewayRecord = { online: null, lastSeenAt: null, lastStatusAt: null, heartbeatS: null, ...known, ...v.value, id, organisationId: site.organisationId ?? DEFAULT_ORGANISATION };
    await this.ctx.store.putEntity('gateway', g, this.entry(actor, 'gateway_saved', 'gateway', id));
    return { ok: true, value: g };
  }

  async remove(kind: EntityKind | 'site' | 'worker', id: string, actor: string, org: string | null = null): Promise<AdminResult<null>> {
    const { store } = this.ctx;
    if (org !== null) {
      const rec: Owned | undefined = kind === 'site' ? await store.getSite(id) : kind === 'worker' ? await store.getWorker(id) : await store.getEntity(kind, id);
      if (!this.same(org, rec)) return missing(kind, id);
    }
    const users = await this.usedBy(kind, id);
    if (users) return { ok: false, code: 'conflict', message: `${kind} '${id}' is still used by ${users}` };
    let gone: boolean;
    if (kind === 'site') {
      if (!(await store.getSite(id))) return missing(kind, id);
      gone = await store.deleteSite(id);
      if (!gone) return { ok: false, code: 'conflict', message: `site '${id}' still has workers or devices` };
    } else if (kind === 'worker') {
      if (!(await store.getWorker(id))) return missing(kind, id);
      gone = await store.deleteWorker(id);
      if (!gone) return { ok: false, code: 'conflict', message: `worker '${id}' still has devices` };
    } else {
      gone = await store.deleteEntity(kind, id);
      if (!gone) return missing(kind, id);
    }
    await this.audit(actor, `${kind}_deleted`, kind, id);
    return { ok: true, value: null };
  }

  /**
   * The organisation a record goes to: the caller's (a body naming another is refused as unknown), or
   * for the centre's staff the body's, else the record's own, else `fallback` (its site's), else
   * `default`. A known record of another organisation than the caller's does not exist for them; one
   * is never moved to another organisation.
   */
  private async owner(org: string | null, body: Owned, known: Owned | undefined, kind: string, fallback: () => Promise<string | undefined>): Promise<AdminResult<string>> {
    const id = (body as { id?: string }).id ?? '';
    if (org !== null && body.organisationId !== undefined && body.organisationId !== org) return missing('organisation', body.organisationId);
    if (org !== null && known && known.organisationId !== org) return missing(kind, id);
    const target = org ?? body.organisationId ?? known?.organisationId ?? (await fallback()) ?? DEFAULT_ORGANISATION;
    if (!(await this.ctx.store.getOrganisation(target))) return missing('organisation', target);
    if (known && known.organisationId !== undefined && known.organisationId !== target) {
      return { ok: false, code: 'conflict', message: `${kind} '${id}' belongs to organisation '${known.organisationId}': a record does not move to another organisation` };
    }
    return { ok: true, value: target };
  }

  private async siteOrganisation(siteId: string | null | undefined): Promise<string | undefined> {
    return siteId ? (await this.ctx.store.getSite(siteId))?.organisationId : undefined;
  }

  /** The record exists and is of the organisation. */
  private same(org: string, rec: Owned | undefined): boolean {
    return !!rec && (rec.organisationId ?? DEFAULT_ORGANISATION) === org;
  }

  /** Every record this one refers to exists in its organisation (another organisation's is unknown). */
  private async references(kind: EntityKind, rec: EntityMap[EntityKind], org: string): Promise<AdminResult<never> | undefined> {
    const { store } = this.ctx;
    const site = (rec as { siteId?: string | null }).siteId;
    if (site && !this.same(org, await store.getSite(site))) return missing('site', site);
    if (kind === 'ladder') {
      const l = rec as EntityMap['ladder'];
      for (const s of [...l.steps, ...(l.fallback ? [l.fallback] : [])]) {
        if (s.contactId !== WORKER_CONTACT && !this.same(org, await store.getEntity('contact', s.contactId))) return missing('contact', s.contactId);
      }
    }
    const zone = (rec as { zoneId?: string | null }).zoneId;
    if ((kind === 'beacon' || kind === 'input') && zone && !this.same(org, await store.getEntity('zone', zone))) return missing('zone', zone);
    const worker = (rec as { workerId?: string | null }).workerId;
    if (kind === 'input' && worker && !this.same(org, await store.getWorker(worker))) return missing('worker', worker);
    return undefined;
  }

  /** What still refers to a record, in words; undefined when nothing does. */
  private async usedBy(kind: string, id: string): Promise<string | undefined> {
    const { store } = this.ctx;
    if (kind === 'site') {
      const teams = (await store.listEntities('team')).filter((t) => t.siteId === id);
      if (teams.length) return teams.map((t) => `team '${t.id}'`).join(', ');
    }
    if (kind === 'team') {
      const workers = (await store.listWorkers()).filter((w) => w.teamId === id);
      if (workers.length) return workers.map((w) => `worker '${w.id}'`).join(', ');
    }
    if (kind === 'contact') {
      const ladders = (await store.listEntities('ladder')).filter((l) => [...l.steps, ...(l.fallback ? [l.fallback] : [])].some((s) => s.contactId === id));
      if (ladders.length) return `ladder ${ladders.map((l) => `'${l.id}'`).join(', ')}`;
    }
    if (kind === 'ladder') {
      const sites = (await store.listSites()).filter((s) => s.ladderId === id);
      const workers = (await store.listWorkers()).filter((w) => w.ladderId === id);
      if (sites.length + workers.length) return [...sites.map((s) => `site '${s.id}'`), ...workers.map((w) => `worker '${w.id}'`)].join(', ');
    }
    if (kind === 'zone') {
      const beacons = (await store.listEntities('beacon')).filter((b) => b.zoneId === id);
      const inputs = (await store.listEntities('input')).filter((i) => i.zoneId === id);
      if (beacons.length + inputs.length) return [...beacons.map((b) => `beacon '${b.id}'`), ...inputs.map((i) => `input '${i.id}'`)].join(', ');
    }
    return undefined;
  }

  private entry(actor: string, action: string, entity: string, entityId: string) {
    return { at: this.ctx.clock.now(), actor, action, entity, entityId };
  }

  private async audit(actor: string, action: string, entity: string, entityId: string): Promise<void> {
    await this.ctx.store.appendAudit(this.entry(actor, action, entity, entityId));
  }
}

function invalid(errors: string[]): AdminResult<never> {
  return { ok: false, code: 'invalid', message: `Invalid: ${errors.join('; ')}`, errors };
}

function missing(kind: string, id: string): AdminResult<never> {
  return { ok: false, code: 'not_found', message: `Unknown ${kind} '${id}'` };
}
