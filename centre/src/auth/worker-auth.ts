/**
 * Worker logins for the worker app. A worker is not a console user: the token a phone gets works on
 * the `/api/app/…` routes only (the console's routes know nothing of it), and those routes show the
 * worker their own data and nothing else.
 *
 * Two ways in: a user name and password an admin set, or a one-time pairing code (link or QR code)
 * an admin created. Tokens and codes are random, stored only as SHA-256 hashes. A phone's login
 * slides forward while it is used (a worker must never find the app signed out at the moment of an
 * emergency); an admin revokes it (lost phone) by removing the worker's phones or login.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../../common/clock';
import { hashPassword, verifyPasswordAsync } from '../../../common/passwords';
import type { Store, WorkerLogin } from '../store/types';

const DAY = 86_400_000;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface WorkerSignIn {
  token: string;
  workerId: string;
  expiresAt: number;
}

export interface WorkerPrincipal {
  workerId: string;
  tokenHash: string;
}

export type SetCredentialResult = 'ok' | 'unknown_worker' | 'taken';

export class WorkerAuth {
  private readonly attempts = new Map<string, number[]>();
  private readonly loginTtlMs: number;
  private readonly maxAttempts: number;
  private readonly attemptWindowMs: number;

  constructor(private readonly ctx: { store: Store; clock: Clock; loginTtlDays?: number; maxAttempts?: number; attemptWindowMs?: number }) {
    this.loginTtlMs = (ctx.loginTtlDays ?? 90) * DAY;
    this.maxAttempts = ctx.maxAttempts ?? 10;
    this.attemptWindowMs = ctx.attemptWindowMs ?? 5 * 60_000;
  }

  async setCredential(workerId: string, username: string, password: string, actor: string): Promise<SetCredentialResult> {
    const { store, clock } = this.ctx;
    if (!(await store.getWorker(workerId))) return 'unknown_worker';
    const ok = await store.putWorkerCredential({ workerId, username, passwordHash: hashPassword(password), createdAt: clock.now(), createdBy: actor });
    if (!ok) return 'taken';
    await store.appendAudit({ at: clock.now(), actor, action: 'app_login_set', entity: 'worker', entityId: workerId, data: { username } });
    return 'ok';
  }

  /** True when this client or this name has used up its attempts in the window (logins and pairing alike). */
  limited(clientKey: string, name: string): boolean {
    const now = this.ctx.clock.now();
    return [clientKey, `worker:${name}`].some((k) => this.recent(k, now).length >= this.maxAttempts);
  }

  async login(clientKey: string, username: string, password: string): Promise<WorkerSignIn | undefined> {
    const c = await this.ctx.store.getWorkerCredential({ username });
    if (!(await verifyPasswordAsync(password, c?.passwordHash)) || !c) {
      this.failed(clientKey, username);
      return undefined;
    }
    return this.open(c.workerId, 'password');
  }

  /** Creates a one-time pairing code for the worker; the code itself is returned once and never stored. */
  async createPairing(workerId: string, actor: string, ttlH: number): Promise<{ code: string; expiresAt: number } | undefined> {
    const { store, clock } = this.ctx;
    if (!(await store.getWorker(workerId))) return undefined;
    const code = randomBytes(16).toString('base64url');
    const now = clock.now();
    const expiresAt = now + ttlH * 3600_000;
    await store.createPairingCode({ codeHash: sha256(code), workerId, createdAt: now, createdBy: actor, expiresAt, usedAt: null });
    await store.appendAudit({ at: now, actor, action: 'app_pairing_created', entity: 'worker', entityId: workerId, data: { expiresAt } });
    return { code, expiresAt };
  }

  async pair(clientKey: string, code: string): Promise<WorkerSignIn | undefined> {
    const p = /^[A-Za-z0-9_-]{22}$/.test(code) ? await this.ctx.store.redeemPairingCode(sha256(code), this.ctx.clock.now()) : undefined;
    if (!p) {
      this.failed(clientKey, 'pairing');
      return undefined;
    }
    return this.open(p.workerId, 'pairing');
  }

  async authenticate(token: string | undefined): Promise<WorkerPrincipal | undefined> {
    if (!token || !/^[0-9a-f]{64}$/.test(token)) return undefined;
    const tokenHash = sha256(token);
    const l = await this.ctx.store.getWorkerLogin(tokenHash);
    const now = this.ctx.clock.now();
    if (!l || l.expiresAt <= now) return undefined;
    // Slide the expiry, at most once an hour per phone.
    if (l.expiresAt - now < this.loginTtlMs - 3600_000) await this.ctx.store.touchWorkerLogin(tokenHash, now + this.loginTtlMs);
    return { workerId: l.workerId, tokenHash };
  }

  async logout(p: WorkerPrincipal): Promise<void> {
    await this.ctx.store.deleteWorkerLogin(p.tokenHash);
  }

  private async open(workerId: string, via: WorkerLogin['via']): Promise<WorkerSignIn> {
    const token = randomBytes(32).toString('hex');
    const now = this.ctx.clock.now();
    const expiresAt = now + this.loginTtlMs;
    await this.ctx.store.createWorkerLogin({ tokenHash: sha256(token), workerId, via, createdAt: now, expiresAt });
    await this.ctx.store.appendAudit({ at: now, actor: `worker:${workerId}`, action: 'app_signed_in', entity: 'worker', entityId: workerId, data: { via } });
    return { token, workerId, expiresAt };
  }

  private recent(key: string, now: number): number[] {
    return (this.attempts.get(key) ?? []).filter((t) => now - t < this.attemptWindowMs);
  }

  private failed(clientKey: string, name: string): void {
    const now = this.ctx.clock.now();
    if (this.attempts.size > 10_000) this.attempts.clear();
    for (const k of [clientKey, `worker:${name}`]) this.attempts.set(k, [...this.recent(k, now), now]);
  }
}
