/**
 * Console and API logins: scrypt password hashes, random bearer tokens stored only as SHA-256
 * hashes with an expiry, login attempts limited per client and user name, and one-time tickets for
 * the live stream (EventSource cannot send an Authorization header). Tokens and tickets live in the
 * store, so a console logs in on one centre worker and streams from another (docs/scale.md); the
 * attempt limits are per worker.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../../common/clock';
import { hashPassword, verifyPasswordAsync } from '../../../common/passwords';
import type { Store, User, UserRole, UserScope } from '../store/types';

export interface LoginResult {
  token: string;
  user: PublicUser;
  expiresAt: number;
}

export interface PublicUser {
  id: string;
  username: string;
  name: string;
  role: UserRole;
  scope: UserScope | null;
  /** The customer organisation; null = the centre's own staff. */
  organisationId: string | null;
}

export function publicUser(u: User): PublicUser {
  return { id: u.id, username: u.username, name: u.name, role: u.role, scope: u.scope ?? null, organisationId: u.organisationId ?? null };
}

/** Why a password is refused, or undefined (at least 8 characters, not the user name). */
export function passwordProblem(password: unknown, username?: string): string | undefined {
  if (typeof password !== 'string' || password.length < 8) return 'password: at least 8 characters';
  if (password.length > 200) return 'password: at most 200 characters';
  if (username !== undefined && password.toLowerCase() === username.toLowerCase()) return 'password: must not be the user name';
  return undefined;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export class Auth {
  private readonly attempts = new Map<string, number[]>();
  private readonly sessionTtlMs: number;
  private readonly maxAttempts: number;
  private readonly attemptWindowMs: number;

  constructor(private readonly ctx: { store: Store; clock: Clock; sessionTtlMs?: number; maxAttempts?: number; attemptWindowMs?: number }) {
    this.sessionTtlMs = ctx.sessionTtlMs ?? 12 * 3600_000;
    this.maxAttempts = ctx.maxAttempts ?? 10;
    this.attemptWindowMs = ctx.attemptWindowMs ?? 5 * 60_000;
  }

  async createUser(u: { username: string; password: string; name?: string; role: UserRole; scope?: UserScope | null; organisationId?: string | null }): Promise<User> {
    const user: User = {
      id: randomUUID(), username: u.username, name: u.name ?? u.username, role: u.role, passwordHash: hashPassword(u.password), scope: u.scope ?? null,
      organisationId: u.organisationId ?? null,
    };
    await this.ctx.store.createUser(user);
    return user;
  }

  /** True when this client or this user name has used up its attempts in the window. */
  limited(clientKey: string, username: string): boolean {
    const now = this.ctx.clock.now();
    return [clientKey, `user:${username}`].some((k) => (this.attempts.get(k) ?? []).filter((t) => now - t < this.attemptWindowMs).length >= this.maxAttempts);
  }

  async login(clientKey: string, username: string, password: string): Promise<LoginResult | undefined> {
    const now = this.ctx.clock.now();
    const user = await this.ctx.store.getUserByName(username);
    if (!(await verifyPasswordAsync(password, user?.passwordHash)) || !user) {
      for (const k of [clientKey, `user:${username}`]) this.attempts.set(k, [...(this.attempts.get(k) ?? []).filter((t) => now - t < this.attemptWindowMs), now]);
      return undefined;
    }
    const token = randomBytes(32).toString('hex');
    const expiresAt = now + this.sessionTtlMs;
    await this.ctx.store.createSession({ tokenHash: sha256(token), userId: user.id, createdAt: now, expiresAt });
    return { token, user: publicUser(user), expiresAt };
  }

  async authenticate(token: string): Promise<User | undefined> {
    const session = await this.ctx.store.getSession(sha256(token));
    if (!session || session.expiresAt <= this.ctx.clock.now()) return undefined;
    return this.ctx.store.getUser(session.userId);
  }

  /**
   * Sets a user's password and ends their logins — all of them after an admin's reset, all but the
   * caller's own when users change their own password (`keepToken`). An admin's reset also ends the
   * user's alerts on every device (a reset is what follows a lost phone or a leaked password: a device
   * someone else subscribed must not keep receiving alarms).
   */
  async setPassword(userId: string, password: string, keepToken?: string): Promise<void> {
    await this.ctx.store.updateUser(userId, { passwordHash: hashPassword(password) });
    await this.ctx.store.deleteUserSessions(userId, keepToken === undefined ? undefined : sha256(keepToken));
    if (keepToken === undefined) await this.ctx.store.deleteUserPushSubscriptions(userId);
  }

  /**
   * Whether `password` is the user's current one (changing one's own password asks for it); a wrong
   * one counts against the same login limit, so a stolen token cannot be used to guess the password.
   */
  async checkPassword(clientKey: string, user: User, password: string): Promise<boolean> {
    const u = await this.ctx.store.getUser(user.id);
    if (u && (await verifyPasswordAsync(password, u.passwordHash))) return true;
    const now = this.ctx.clock.now();
    for (const k of [clientKey, `user:${user.username}`]) this.attempts.set(k, [...(this.attempts.get(k) ?? []).filter((t) => now - t < this.attemptWindowMs), now]);
    return false;
  }

  async logout(token: string): Promise<void> {
    await this.ctx.store.deleteSession(sha256(token));
  }

  /** A one-time ticket for the live stream, valid 30 s on every worker; stored only as a hash. */
  async issueTicket(user: User): Promise<string> {
    const ticket = randomBytes(24).toString('hex');
    await this.ctx.store.putStreamTicket({ ticketHash: sha256(ticket), userId: user.id, expiresAt: this.ctx.clock.now() + 30_000 });
    return ticket;
  }

  async redeemTicket(ticket: string): Promise<User | undefined> {
    if (!/^[0-9a-f]{48}$/.test(ticket)) return undefined;
    const userId = await this.ctx.store.takeStreamTicket(sha256(ticket), this.ctx.clock.now());
    return userId === undefined ? undefined : this.ctx.store.getUser(userId);
  }
}
