/**
 * A browser's push subscription (the Push API's `PushSubscription.toJSON()`), decoded at the edge:
 * what a logged-in user sends to be alerted on this phone. The endpoint is where the centre will POST,
 * so it must be https and on one of the push services the configuration allows
 * (`push.endpointHosts`): a subscription is never a way to make the centre call an address of the
 * sender's choosing. The keys are the browser's P-256 public key and its 16-byte auth secret
 * (RFC 8291 §2); a point off the curve or a short secret is refused here, not at the first alarm.
 */
import { p256PointProblem } from './vapid';

/** A subscription as the centre keeps it: one browser profile of one user. */
export interface PushSubscriptionRecord {
  id: string;
  userId: string;
  endpoint: string;
  /** The browser's ECDH public key (65-byte uncompressed P-256 point, base64url). */
  p256dh: string;
  /** The browser's 16-byte authentication secret (base64url). */
  auth: string;
  /** Language of the notifications' text (en, fr, nl, de, es, sv, nb). */
  language: string;
  /** What the user calls this device ("Sue's phone"), or the browser's description. */
  label: string | null;
  createdAt: number;
  /** Last push the push service accepted for it (null: none yet). */
  lastSuccessAt: number | null;
  /** Pushes that failed in a row (reset by a success). */
  failures: number;
}

export type NewPushSubscription = Pick<PushSubscriptionRecord, 'endpoint' | 'p256dh' | 'auth' | 'language' | 'label'>;

/** Where subscriptions are kept (the store): what the notifier, the fan-out and the API need of it. */
export interface PushSubscriptionBook {
  /**
   * Adds this browser's subscription for `userId`, or refreshes it (keys, language, label) when the
   * user has it already; an endpoint another user had moves to this one under `newId`.
   */
  putPushSubscription(userId: string, s: NewPushSubscription, newId: string, at: number): Promise<PushSubscriptionRecord>;
  /** Every subscription of the user (deleted, or their password reset); how many there were. */
  deleteUserPushSubscriptions(userId: string): Promise<number>;
  /** Every subscription (of every user); the fan-out keeps those whose user may see the alarm. */
  listPushSubscriptions(filter?: { userId?: string }): Promise<PushSubscriptionRecord[]>;
  getPushSubscription(id: string): Promise<PushSubscriptionRecord | undefined>;
  /** The push service no longer knows it (404/410): it is removed. */
  deletePushSubscription(id: string): Promise<boolean>;
  /** Outcome of one push, for the user's list of devices (last success, failures in a row). */
  recordPushResult(id: string, ok: boolean, at: number): Promise<void>;
}


export const PUSH_LANGUAGES = ['en', 'fr', 'nl', 'de', 'es', 'sv', 'nb'] as const;

/** The push services of the browsers in use (Chrome/Edge/Android, Firefox, Safari, Windows): host or parent domain. */
export const DEFAULT_ENDPOINT_HOSTS = ['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'push.services.mozilla.com', 'web.push.apple.com', 'notify.windows.com'];

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** Whether `host` is one of `allowed` or below one of them (`wns2-par02p.notify.windows.com`). */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some((a) => h === a.toLowerCase() || h.endsWith(`.${a.toLowerCase()}`));
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Decodes `{endpoint, keys: {p256dh, auth}, language?, label?}`; every problem by path, never a throw. */
export function decodeSubscription(body: unknown, endpointHosts: readonly string[]): Decoded<NewPushSubscription> {
  const errors: string[] = [];
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const keys = (b['keys'] && typeof b['keys'] === 'object' ? b['keys'] : {}) as Record<string, unknown>;
  let endpoint = '';
  if (typeof b['endpoint'] !== 'string' || b['endpoint'].length > 2048) errors.push('endpoint: must be a URL of at most 2048 characters');
  else {
    let url: URL | undefined;
    try {
      url = new URL(b['endpoint']);
    } catch {
      errors.push('endpoint: is not a URL');
    }
    if (url) {
      if (url.protocol !== 'https:') errors.push('endpoint: must be https');
      else if (url.username || url.password) errors.push('endpoint: must not carry credentials');
      else if (!hostAllowed(url.hostname, endpointHosts)) errors.push(`endpoint: '${url.hostname}' is not a push service this centre sends to (push.endpointHosts)`);
      else endpoint = url.toString();
    }
  }
  const p256dh = typeof keys['p256dh'] === 'string' && B64URL.test(keys['p256dh']) ? Buffer.from(keys['p256dh'], 'base64url') : undefined;
  if (!p256dh) errors.push('keys.p256dh: must be base64url');
  else {
    const p = p256PointProblem(p256dh);
    if (p) errors.push(`keys.p256dh: ${p}`);
  }
  const auth = typeof keys['auth'] === 'string' && B64URL.test(keys['auth']) ? Buffer.from(keys['auth'], 'base64url') : undefined;
  if (!auth || auth.length !== 16) errors.push('keys.auth: must be 16 bytes (base64url)');
  const language = b['language'] ?? 'en';
  if (typeof language !== 'string' || !(PUSH_LANGUAGES as readonly string[]).includes(language)) errors.push(`language: must be one of ${PUSH_LANGUAGES.join(', ')}`);
  const label = b['label'] ?? null;
  if (label !== null && (typeof label !== 'string' || label.length > 100)) errors.push('label: must be text of at most 100 characters');
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { endpoint, p256dh: p256dh!.toString('base64url'), auth: auth!.toString('base64url'), language: language as string, label: (label as string | null) || null } };
}
