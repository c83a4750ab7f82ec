/** What the worker app's route modules share. */

/** An idempotency key: the phone makes one per action and sends it again with every retry. */
export const KEY = { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$', description: '8–64 letters, digits, _ or -' };
export const WORKER_AUTH = 'Worker token: `Authorization: Bearer <token>` from POST /api/app/login or /api/app/pair (console tokens are refused).';
