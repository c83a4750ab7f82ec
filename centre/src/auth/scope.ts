/**
 * What a user may see and act on. Admins and operators: everything (operators handle every alarm).
 * Supervisors: only their own sites and teams — the workers of those sites and teams, the alarms,
 * sessions and devices of those workers, everything placed on those sites. A supervisor without a
 * scope sees nothing. Read-only users see everything unless an admin gives them a scope too.
 *
 * The API applies it to every list and every action (an object outside the scope is a plain 404: its
 * existence is not revealed), and the live stream applies it to every event.
 */
import type { StoreScope, Store, User } from '../store/types';

interface Placed {
  siteId?: string | null;
  workerId?: string | null;
}

export class Scope {
  private constructor(
    /** True: no restriction. */
    readonly all: boolean,
    readonly siteIds: ReadonlySet<string>,
    readonly teamIds: ReadonlySet<string>,
    /** Workers of the sites and teams, resolved when the scope was made. */
    readonly workerIds: ReadonlySet<string>,
  ) {}

  static readonly ALL = new Scope(true, new Set(), new Set(), new Set());
  static readonly NONE = new Scope(false, new Set(), new Set(), new Set());

  static async of(user: User, store: Store): Promise<Scope> {
    const restricted = user.role === 'supervisor' || (user.role === 'readonly' && user.scope);
    if (!restricted) return Scope.ALL;
    const sites = new Set(user.scope?.siteIds ?? []);
    const teams = new Set(user.scope?.teamIds ?? []);
    const workers = (await store.listWorkers()).filter((w) => (w.siteId !== null && sites.has(w.siteId)) || (w.teamId && teams.has(w.teamId)));
    return new Scope(false, sites, teams, new Set(workers.map((w) => w.id)));
  }

  worker(id: string | null | undefined): boolean {
    return this.all || (!!id && this.workerIds.has(id));
  }

  site(id: string | null | undefined): boolean {
    return this.all || (!!id && this.siteIds.has(id));
  }

  team(t: { id: string; siteId: string | null }): boolean {
    return this.all || this.teamIds.has(t.id) || this.site(t.siteId);
  }

  /** An alarm, session or device: on one of the sites, or of one of the workers. */
  covers(x: Placed): boolean {
    return this.all || this.site(x.siteId) || this.worker(x.workerId);
  }

  /** A registry record with a site; null = every site (a centre-wide contact), visible to all. */
  record(siteId: string | null | undefined): boolean {
    return this.all || siteId === null || siteId === undefined || this.siteIds.has(siteId);
  }

  /** Sites to show: those of the scope and those its workers belong to. */
  visibleSites(workers: { id: string; siteId: string | null }[]): (id: string) => boolean {
    if (this.all) return () => true;
    const ids = new Set([...this.siteIds, ...workers.filter((w) => this.workerIds.has(w.id) && w.siteId).map((w) => w.siteId!)]);
    return (id) => ids.has(id);
  }

  /** The same restriction for store queries; undefined = none. */
  forStore(): StoreScope | undefined {
    return this.all ? undefined : { siteIds: [...this.siteIds], workerIds: [...this.workerIds] };
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
