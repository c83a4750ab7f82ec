/** What the worker app's route modules share (api-app.ts builds it). */
import type { PhoneDevices } from '../app/phone';
import type { Ownership } from '../cluster/ownership';
import type { WorkerAuth, WorkerPrincipal } from '../app/worker-auth';
import type { ResolvedCentreConfig } from '../config';
import type { Worker } from '../store/types';
import type { Supervision } from '../supervision';
import type { ApiContext } from './api';
import type { ApiRequest } from './router';

export interface AppApiContext extends Omit<ApiContext, 'health'> {
  config: ResolvedCentreConfig;
  supervision: Supervision;
  /** Who runs a device's rules (a cluster's leases); this process alone when absent. */
  ownership?: Ownership;
}

export interface AppRouteContext extends AppApiContext {
  workers: WorkerAuth;
  phones: PhoneDevices;
  /** The signed-in worker of a request, or a 401. */
  worker(req: ApiRequest): Promise<{ worker: Worker; principal: WorkerPrincipal }>;
}

/** An idempotency key: the phone makes one per action and sends it again with every retry. */
export const KEY = { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' };
export const WORKER_AUTH = 'Worker token: `Authorization: Bearer <token>` from POST /api/app/login or /api/app/pair (console tokens are refused).';
