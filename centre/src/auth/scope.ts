/**
 * What a user may see and act on, in two layers that compose: the tenant first, then sites and teams.
 *
 * - Tenant (issue 21 part 1): a user of a customer organisation (`user.organisationId`) sees only that
 *   organisation's records, whatever their role; the monitoring company's own staff (no organisation)
 *   see every organisation.
 * - Sites and teams: admins and operators see everything of their organisation (operators handle every
 *   alarm); supervisors only their own sites and teams — the workers of those sites and teams, the
 *   alarms, sessions and devices of those workers, everything placed on those sites. A supervisor
 *   without a scope sees nothing. Read-only users see everything unless an admin gives them a scope too.
 *
 * The API applies it to every list and every action (an object outside the scope is a plain 404: its
 * existence is not revealed), and the live stream applies it to every event.
 */
import { DEFAULT_ORGANISATION, type Owned, type StoreScope, type Store, type User } from '../store/types';

interface Placed extends Owned {
  siteId?: string | null;
  workerId?: string | null;
}

export class Scope {
  private constructor(
    /** True: no restriction. */
    readonly all: boolean,
    /** The customer organisation seen; null = every organisation (the centre's own staff). */
    readonly organisationId: string | null,
    /** True: restricted to sites and teams within the organisation (a supervisor, a scoped read-only user). */
    readonly bySite: boolean,
    readonly siteIds: ReadonlySet<string>,
    readonly teamIds: ReadonlySet<string>,
    /** Workers of the sites and teams (of the organisation), resolved when the scope was made. */
    readonly workerIds: ReadonlySet<string>,
  ) {}

  static readonly ALL = new Scope(true, null, false, new Set(), new Set(), new Set());
  static readonly NONE = new Scope(false, null, true, new Set(), new Set(), new Set());

  static async of(user: User, store: Store): Promise<Scope> {
    const org = user.organisationId ?? null;
    const bySite = user.role === 'supervisor' || (user.role === 'readonly' && !!user.scope);
    if (!bySite && org === null) return Scope.ALL;
    const inOrg = (r: Owned): boolean => org === null || (r.organisationId ?? DEFAULT_ORGANISATION) === org;
    const workersAll = (await store.listWorkers()).filter(inOrg);
    const orgSites = org === null ? undefined : new Set((await store.listSites()).filter(inOrg).map((s) => s.id));
    if (!bySite) return new Scope(false, org, false, orgSites!, new Set(), new Set(workersAll.map((w) => w.id)));
    const sites = new Set((user.scope?.siteIds ?? []).filter((s) => !orgSites || orgSites.has(s)));
    const teams = new Set(user.scope?.teamIds ?? []);
    const workers = workersAll.filter((w) => (w.siteId !== null && sites.has(w.siteId)) || (w.teamId && teams.has(w.teamId)));
    return new Scope(false, org, true, sites, teams, new Set(workers.map((w) => w.id)));
  }

  /**
   * The record belongs to the organisation seen. A record that does not say (made in memory) is judged
   * by its site and worker, which the scope resolved within the organisation.
   */
  owns(x: Placed): boolean {
    if (this.organisationId === null) return true;
    if (x.organisationId !== undefined) return x.organisationId === this.organisationId;
    return (!!x.siteId && this.siteIds.has(x.siteId)) || (!!x.workerId && this.workerIds.has(x.workerId));
  }

  worker(id: string | null | undefined): boolean {
    return this.all || (!!id && this.workerIds.has(id));
  }

  site(id: string | null | undefined): boolean {
    return this.all || (!!id && this.siteIds.has(id));
  }

  team(t: { id: string; siteId: string | null } & Owned): boolean {
    return this.all || (this.owns(t) && (!this.bySite || this.teamIds.has(t.id) || this.site(t.siteId)));
  }

  /** An alarm, session or device: of the organisation, and on one of the sites or of one of the workers. */
  covers(x: Placed): boolean {
    return this.all || (this.owns(x) && (!this.bySite || this.site(x.siteId) || this.worker(x.workerId)));
  }

  /** A registry record of the organisation with a site; a null site = every site of its organisation (a contact for all its sites). */
  record(siteId: string | null | undefined, rec: Owned): boolean {
    if (this.all) return true;
    if (this.organisationId !== null && (rec.organisationId ?? DEFAULT_ORGANISATION) !== this.organisationId) return false;
    return !this.bySite || siteId === null || siteId === undefined || this.siteIds.has(siteId);
  }

  /** Sites to show: those of the scope and those its workers belong to. */
  visibleSites(workers: { id: string; siteId: string | null }[], sites?: ({ id: string } & Owned)[]): (id: string) => boolean {
    if (this.all) return () => true;
    if (!this.bySite) return (id) => this.siteIds.has(id);
    const ids = new Set([...this.siteIds, ...workers.filter((w) => this.workerIds.has(w.id) && w.siteId).map((w) => w.siteId!)]);
    const foreign = new Set(this.organisationId === null ? [] : (sites ?? []).filter((s) => (s.organisationId ?? DEFAULT_ORGANISATION) !== this.organisationId).map((s) => s.id));
    return (id) => ids.has(id) && !foreign.has(id);
  }

  /** The same restriction for store queries; undefined = none. */
  forStore(): StoreScope | undefined {
    if (this.all) return undefined;
    return { siteIds: [...this.siteIds], workerIds: [...this.workerIds], sites: this.bySite, ...(this.organisationId !== null ? { organisationId: this.organisationId } : {}) };
  }
}

const cache = new WeakMap<object, Promise<Scope>>();

/** The scope of the request's user, computed once per request. */
export function scopeOf(req: { user?: User | undefined }, store: Store): Promise<Scope> {
  if (!req.user) return Promise.resolve(Scope.NONE);
  let s = cache.get(req);
  if (!s) {
    s = Scope.of(req.user, store);
    cache.set(req, s);
  }
  return s;
}
