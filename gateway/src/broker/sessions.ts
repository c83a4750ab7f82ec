/**
 * Who may hold which MQTT session on the embedded broker, and what a persistent session may keep.
 *
 * MQTT lets a new connection with a client id take over that id's session: its subscriptions and the
 * QoS 1 messages queued for it (MQTT 3.1.1 §3.1.2.4, §3.1.3.1). So:
 * - the ids Vigil's own services use are reserved to the principal that runs them (RESERVED): the
 *   centre's (`vigil-centre`, its workers' `vigil-centre-2`, their status clients `…-status`, which
 *   connect clean and so leave no owner record), the ARC output's (`vigil-arc-…`) and each gateway's
 *   (`vigil-gw-<site>-<gateway>`);
 * - any other id belongs to the user who first kept a persistent session under it (claimClientId);
 * - a persistent session keeps only subscriptions its owner's ACL grants. Aedes 1.2 stores the whole
 *   SUBSCRIBE packet's list as soon as one of its filters is granted, refused ones included
 *   (lib/handlers/subscribe.js, storeSubscriptions); every QoS 1 publish is then queued from the
 *   persisted subscriptions and handed over at the next persistent connect — site B's downlinks
 *   reached site A's gateway that way (found by the MQTT fuzzer, seed 20261207). guardStoredSubscriptions
 *   filters what is stored, pruneSession re-authorises a stored session for the user connecting.
 */
import type { Client } from 'aedes';
import { canSubscribe, type Identity } from './acl';
import { SESSIONS_PER_USER } from './quotas';

/** The calls of Aedes' persistence interface used here (memory, SQLite and Redis implement them). */
export interface SessionPersistence {
  createRetainedStream(pattern: string): AsyncIterable<unknown>;
  storeRetained(packet: unknown): Promise<void>;
  subscriptionsByClient(client: { id: string }): Promise<{ topic: string }[] | null | undefined>;
  removeSubscriptions(client: { id: string }, topics: string[]): Promise<unknown>;
  addSubscriptions(client: Client, subs: { topic: string }[]): Promise<unknown>;
}

interface Reservation {
  prefix: string;
  /** Whether this user may connect with `clientId`, which starts with `prefix`. */
  mayUse(who: Identity, clientId: string): boolean;
}

/** The client ids of Vigil's services (centre/src/config.ts, shards.ts, arc/src, gateway/src/gateway.ts). */
export const RESERVED: readonly Reservation[] = [
  { prefix: 'vigil-centre', mayUse: (who) => who.role === 'centre' },
  { prefix: 'vigil-arc', mayUse: (who) => who.role === 'integrator' },
  { prefix: 'vigil-gw-', mayUse: (who, id) => who.role === 'gateway' && id === `vigil-gw-${who.siteId}-${who.gatewayId}` },
];

/** Whether `who` may use `clientId` as far as the reserved ids go (true for an id nobody reserved). */
export function reservedIdAllows(clientId: string, who: Identity): boolean {
  const r = RESERVED.find((x) => clientId.startsWith(x.prefix));
  return r === undefined || r.mayUse(who, clientId);
}

export interface ClaimContext {
  persistence: SessionPersistence;
  brokerId: string;
  /** Who is connected under this id now on this node, if anyone else. */
  liveOwner(clientId: string): Identity | undefined;
}

const ownerTopic = (clientId: string): string => `$vigil/owners/${Buffer.from(clientId, 'utf8').toString('hex')}`;

/** The user who keeps a persistent session under `clientId`, from its owner record. */
export async function ownerOf(persistence: SessionPersistence, clientId: string): Promise<string | undefined> {
  const topic = ownerTopic(clientId);
  let owner: string | undefined;
  for await (const p of persistence.createRetainedStream(topic)) {
    if ((p as { topic?: string }).topic === topic) owner = Buffer.from((p as { payload: Buffer }).payload).toString('utf8');
  }
  return owner;
}

async function sessionsOf(persistence: SessionPersistence, username: string): Promise<number> {
  let n = 0;
  for await (const p of persistence.createRetainedStream('$vigil/owners/+')) {
    if (Buffer.from((p as { payload: Buffer }).payload).toString('utf8') === username) n++;
  }
  return n;
}

/** `mine`, or why not: the id is another's (`taken`), or the user keeps as many sessions as allowed (`too_many`). */
export type Claim = 'mine' | 'taken' | 'too_many';

/**
 * Whether `client` may connect as `who` under its id: not a reserved id of another principal, not an
 * id another user is connected under, not an id another user keeps a persistent session under, and
 * not one persistent session more than SESSIONS_PER_USER (quotas.ts; the centre's are not counted).
 * The owner of a persistent session is kept as a retained message on `$vigil/owners/<id in hex>` (no
 * client can subscribe to `$` topics), so it survives restarts and is shared by a cluster's nodes.
 */
export async function claimClientId(ctx: ClaimContext, client: Client, who: Identity): Promise<Claim> {
  // An id the broker assigned (the CONNECT had none): a session nobody could come back to, kept for
  // ever. [MQTT-3.1.3-8] a zero-byte id with CleanSession 0 is "identifier rejected" (Aedes 1.2 takes it).
  if (client.id.startsWith('aedes_')) return client.clean ? 'mine' : 'taken';
  if (!reservedIdAllows(client.id, who)) return 'taken';
  const current = ctx.liveOwner(client.id);
  if (current && current.username !== who.username) return 'taken';
  const owner = await ownerOf(ctx.persistence, client.id);
  if (owner !== undefined) return owner === who.username ? 'mine' : 'taken';
  if (client.clean) return 'mine';
  if (who.role !== 'centre' && (await sessionsOf(ctx.persistence, who.username)) >= SESSIONS_PER_USER) return 'too_many';
  await ctx.persistence.storeRetained({ cmd: 'publish', topic: ownerTopic(client.id), payload: Buffer.from(who.username, 'utf8'), qos: 0, retain: true, dup: false, brokerId: ctx.brokerId, brokerCounter: 0 });
  return 'mine';
}

/**
 * Before a persistent session is restored for `who`: its stored subscriptions that `who` may not
 * hold are removed (a session stored before this guard, by another owner, or under an older ACL).
 * Returns how many were removed.
 */
export async function pruneSession(persistence: SessionPersistence, clientId: string, who: Identity): Promise<number> {
  const subs = (await persistence.subscriptionsByClient({ id: clientId })) ?? [];
  const refused = subs.filter((s) => !canSubscribe(who, s.topic)).map((s) => s.topic);
  if (refused.length) await persistence.removeSubscriptions({ id: clientId }, refused);
  return refused.length;
}

/** Stores only the subscriptions the client's identity may hold (see the top of this file). */
export function guardStoredSubscriptions(persistence: SessionPersistence, identityOf: (client: Client) => Identity | undefined): void {
  const add = persistence.addSubscriptions.bind(persistence);
  persistence.addSubscriptions = (client, subs) => {
    const who = identityOf(client);
    const allowed = who ? subs.filter((s) => canSubscribe(who, s.topic)) : [];
    // Nothing to store is no call: Redis refuses an HMSET without fields.
    return allowed.length ? add(client, allowed) : Promise.resolve(client);
  };
}
