/**
 * Bounds on what a broker user can make the broker keep. A persistent session's QoS 1 messages are
 * queued for it while it is away, for ever (MQTT 3.1.1 §4.1); without bounds one gateway's
 * credentials could open persistent sessions under ever new client ids, each subscribed to its site's
 * downlinks, and grow the broker's memory (or broker.db) with every downlink — found by the MQTT
 * fuzzer (130 MiB of heap after 30,000 inputs). So, for every user but the centre's:
 * - at most SESSIONS_PER_USER client ids with a persistent session (sessions.ts counts owner records);
 * - at most QUEUED_PER_SESSION messages queued for one session (Mosquitto's `max_queued_messages`
 *   default); later ones are dropped for that session and counted (`queueFull`).
 * The centre's sessions are not bounded: its queue carries the alarms of every site while it is away,
 * and is bounded by the sites' uplink rate and the outage (on disk with SQLite persistence).
 */
import type { Role } from '../../../protocol/src';

export const SESSIONS_PER_USER = 8;
export const QUEUED_PER_SESSION = 1000;
/** While a session stays full, its queue is counted again at most this often (cluster nodes drain it too). */
const RECOUNT_MS = 1000;

/** The calls of Aedes' persistence interface that queue and clear a session's messages. */
export interface QueuePersistence {
  outgoingEnqueue(sub: { clientId: string }, packet: unknown): Promise<unknown>;
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: unknown): Promise<unknown>;
  outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<unknown>;
  outgoingStream(client: { id: string }): AsyncIterable<unknown>;
}

export interface QuotaContext {
  /** The role of the user who owns this client id's session (its owner record), if known. */
  ownerRole(clientId: string): Promise<Role | undefined>;
  now(): number;
  /** A message not queued for a full session. */
  dropped(clientId: string): void;
}

/** Keeps each bounded session's queue at most `max` long by wrapping the persistence's queue calls. */
export class SessionQueues {
  /** Messages queued per bounded session, as this node last counted them (exact after a recount). */
  private readonly queued = new Map<string, number>();
  private readonly bounded = new Map<string, boolean>();
  private readonly recountedAt = new Map<string, number>();

  constructor(private readonly p: QueuePersistence, private readonly ctx: QuotaContext, private readonly max = QUEUED_PER_SESSION) {}

  install(): void {
    const p = this.p;
    const one = p.outgoingEnqueue.bind(p);
    const combi = p.outgoingEnqueueCombi.bind(p);
    const clear = p.outgoingClearMessageId.bind(p);
    p.outgoingEnqueue = async (sub, packet) => ((await this.admit(sub.clientId)) ? one(sub, packet) : undefined);
    p.outgoingEnqueueCombi = async (subs, packet) => {
      const kept: { clientId: string }[] = [];
      for (const s of subs) if (await this.admit(s.clientId)) kept.push(s);
      return kept.length ? combi(kept, packet) : undefined;
    };
    p.outgoingClearMessageId = async (client, packet) => {
      const removed = await clear(client, packet);
      const n = this.queued.get(client.id);
      if (removed && n !== undefined) this.queued.set(client.id, Math.max(0, n - 1));
      return removed;
    };
  }

  /** The owner of `clientId` is now known (a user connected under it). */
  knownAs(clientId: string, role: Role): void {
    this.bounded.set(clientId, role !== 'centre');
  }

  private async admit(clientId: string): Promise<boolean> {
    if (!(await this.isBounded(clientId))) return true;
    let n = this.queued.get(clientId);
    const now = this.ctx.now();
    if (n === undefined || (n >= this.max && now - (this.recountedAt.get(clientId) ?? -Infinity) >= RECOUNT_MS)) {
      n = await this.count(clientId);
      this.recountedAt.set(clientId, now);
    }
    if (n >= this.max) {
      this.queued.set(clientId, n);
      this.ctx.dropped(clientId);
      return false;
    }
    this.queued.set(clientId, n + 1);
    return true;
  }

  private async isBounded(clientId: string): Promise<boolean> {
    let b = this.bounded.get(clientId);
    if (b === undefined) {
      b = clientId.startsWith('vigil-centre') ? false : (await this.ctx.ownerRole(clientId)) !== 'centre';
      this.bounded.set(clientId, b);
    }
    return b;
  }

  private async count(clientId: string): Promise<number> {
    let n = 0;
    for await (const packet of this.p.outgoingStream({ id: clientId })) if (packet) n++;
    return n;
  }
}
