/**
 * Registry records beyond sites, workers and devices: contacts, escalation ladders, zones, beacons,
 * gateways and wired input points. They are low-volume configuration, stored as validated documents
 * (one table, `kind` + `id`), so a new kind is a new row in ENTITY_KINDS and a schema in the API.
 */
import type { Channel } from '../notify/types';
import type { Team } from './console-records';

/** `supervisor`s are alerted when a ladder is exhausted; `monitoring_centre` and `police` come first for duress. */
export type ContactKind = 'person' | 'supervisor' | 'monitoring_centre' | 'police';

export interface Contact {
  /** The customer organisation (types.ts Owned). */
  organisationId?: string;
  id: string;
  name: string;
  kind: ContactKind;
  /** The site this contact belongs to; null = every site (e.g. the alarm-receiving centre). */
  siteId: string | null;
  phone: string | null;
  email: string | null;
  webhookUrl: string | null;
  language: string | null;
}

/** The organisation records belong to when nothing says otherwise (an existing install, a registry file without one). */
export const DEFAULT_ORGANISATION = 'default';

/** `@worker` as contactId means the worker of the alarm (never used for duress). */
export const WORKER_CONTACT = '@worker';

export interface LadderStep {
  contactId: string;
  channel: Channel;
  /** How long to wait for an answer before the next step. */
  timeoutS: number;
}

export interface Ladder {
  /** The customer organisation (types.ts Owned). */
  organisationId?: string;
  id: string;
  name: string;
  steps: LadderStep[];
  /** Tried after the steps, before every supervisor of the site is alerted. */
  fallback: LadderStep | null;
}

export interface Zone {
  /** The customer organisation (types.ts Owned). */
  organisationId?: string;
  id: string;
  siteId: string;
  name: string;
  floor: string | null;
  lat: number | null;
  lon: number | null;
  /** Position on the site's floor plan, in metres from its origin (bottom-left corner). */
  x: number | null;
  y: number | null;
  /** Extent around (x, y) in metres, drawn as a rectangle on the plan; absent or null = a point. */
  w?: number | null;
  h?: number | null;
}

export interface Beacon {
  /** The customer organisation (types.ts Owned). */
  organisationId?: string;
  /** iBeacon major << 16 | minor, as the pendant reports it, in decimal. */
  id: string;
  siteId: string;
  zoneId: string | null;
  name: string | null;
}

export interface GatewayRecord {
  /** The customer organisation (types.ts Owned). */
  organisationId?: string;
  /** `<siteId>/<gatewayId>`. */
  id: string;
  siteId: string;
  gatewayId: string;
  name: string | null;
  /** Last status heard; null until the first. */
  online: boolean | null;
  lastSeenAt: number | null;
  /** `at` of the last status payload, to recognise a retained status delivered again. */
  lastStatusAt: number | null;
  heartbeatS: number | null;
}

export interface InputPoint {
  /** The customer organisation (types.ts Owned). */
  organisationId?: string;
  /** `<siteId>/<gatewayId>/<inputId>`. */
  id: string;
  siteId: string;
  gatewayId: string;
  inputId: string;
  name: string;
  zoneId: string | null;
  /** The worker whose alarm it is (a panic button at a desk), if any. */
  workerId: string | null;
}

export interface EntityMap {
  team: Team;
  contact: Contact;
  ladder: Ladder;
  zone: Zone;
  beacon: Beacon;
  gateway: GatewayRecord;
  input: InputPoint;
}

export type EntityKind = keyof EntityMap;
export const ENTITY_KINDS: readonly EntityKind[] = ['team', 'contact', 'ladder', 'zone', 'beacon', 'gateway', 'input'];

/** The site an entity belongs to (null: all sites), for filtering and for the scale-out partitions. */
export function entitySite(kind: EntityKind, rec: EntityMap[EntityKind]): string | null {
  if (kind === 'ladder') return null;
  return (rec as { siteId: string | null }).siteId;
}
