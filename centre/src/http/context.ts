/** What the route modules are given: the centre's services (centre.ts builds it). */
import type { Clock } from '../../../common/clock';
import type { Logger } from '../../../common/log';
import type { AlarmService } from '../domain/alarms';
import type { Auth } from '../auth/auth';
import type { PhoneDevices } from '../app/phone';
import type { WorkerAuth } from '../auth/worker-auth';
import type { Ownership } from '../domain/ownership';
import type { ResolvedCentreConfig } from '../config';
import type { EscalationEngine } from '../escalation/engine';
import type { Outbox } from '../escalation/outbox';
import type { ResponderTokens } from '../escalation/tokens';
import type { LiveHub } from '../domain/live';
import type { Notifier } from '../notify/types';
import type { Positions } from '../domain/positions';
import type { PushWiring } from '../escalation/push-alerts';
import type { Registry } from '../registry/registry';
import type { RegistryAdmin } from '../registry/admin';
import type { SessionService } from '../domain/sessions';
import type { PendantSettings } from '../settings/service';
import type { Store, UserRole } from '../store/types';
import type { Supervision } from '../domain/supervision';

export interface ApiContext {
  store: Store;
  auth: Auth;
  alarms: AlarmService;
  live: LiveHub;
  log: Logger;
  clock: Clock;
  sessions: SessionService;
  admin: RegistryAdmin;
  registry: Registry;
  escalation: EscalationEngine;
  tokens: ResponderTokens;
  positions: Positions;
  notifiers: Notifier[];
  config: ResolvedCentreConfig;
  outbox: Outbox;
  supervision: Supervision;
  /** Remote pendant settings (http/console/fleet.ts). */
  settings: PendantSettings;
  /** Who runs a device's rules (a cluster's leases); this process alone when absent. */
  ownership?: Ownership;
  /** Web Push (alerts on users' devices), when configured. */
  push?: PushWiring;
  /** A device was re-assigned or removed: caches forget it at once. */
  devicesChanged: (deviceId: string) => void;
  health: () => Record<string, unknown>;
}

/** The worker app's services, made once for the HTTP server (http/app/). */
export interface AppServices {
  workers: WorkerAuth;
  phones: PhoneDevices;
}

export type RouteContext = ApiContext & AppServices;

export const OPERATORS = ['admin', 'supervisor', 'operator'] as const satisfies readonly UserRole[];
export const ADMIN = ['admin'] as const satisfies readonly UserRole[];

/** The customer organisation a console request acts in; null = the centre's own staff (every organisation). */
export const organisationOf = (req: { user: { organisationId?: string | null } | undefined }): string | null => req.user?.organisationId ?? null;

/** The audit actor of a console request. */
export const actorOf = (req: { user: { username: string } | undefined }): string => `user:${req.user!.username}`;
