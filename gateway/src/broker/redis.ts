/**
 * Broker nodes sharing Redis (docs/scale.md): two or more Aedes processes with `mqemitter-redis`
 * (messages published on one node reach subscribers on every node, through Redis pub/sub) and
 * `aedes-persistence-redis` 11.2 (persistent sessions, their subscriptions and queued QoS 1 messages,
 * retained messages and wills, in Redis). A QoS 1 message for a persistent session is queued in Redis
 * before it is sent and removed at the PUBACK, so when the node a client was on dies, the client
 * reconnects to another node (every client takes a list of broker URLs) and gets what was queued.
 *
 * One correction to Aedes: a client's will is stored under the node it connected to; when that node
 * dies and the client reconnects to another, the old will stays and would be published minutes later
 * (when the others notice the dead node), saying a live gateway is offline. A client connecting here
 * drops its wills left on other nodes: it is evidently online. And a will is checked against the
 * client's ACL before it is stored (`mayPublish`): the node that publishes it after its own node died
 * has no client to check it with.
 */
import type { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import type { Logger } from '../../../common/log';

// CommonJS packages without types: their factories, as the README of each documents them.
const persistenceFactory = require('aedes-persistence-redis') as (opts: object) => RedisPersistence;
const mqFactory = require('mqemitter-redis') as (opts: object) => { close(cb: () => void): void; state: NodeJS.EventEmitter };

interface WillPacket {
  clientId: string;
  brokerId: string;
}

interface RedisPersistence {
  putWill(client: { id: string }, packet: object, cb?: unknown): Promise<void> | undefined;
  delWill(client: { id: string; brokerId: string }): Promise<unknown>;
  streamWill(brokers?: Record<string, number>): Readable;
  destroy(cb?: () => void): Promise<void> | undefined;
}

export interface RedisBrokerParts {
  persistence: unknown;
  mq: unknown;
  /** Closes the persistence's Redis connection (the emitter closes with Aedes). */
  close(): Promise<void>;
}

/** `redis://[user:password@]host:port[/db]` → ioredis options. */
export function redisOptions(url: string): { host: string; port: number; username?: string; password?: string; db?: number } {
  const u = new URL(url);
  if (u.protocol !== 'redis:') throw new Error(`Not a redis:// URL: ${url}`);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname, port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
  };
}

export function redisBrokerParts(url: string, log: Logger, mayPublish: (client: object, topic: string) => boolean): RedisBrokerParts {
  const options = redisOptions(url);
  // Our own connection for the sessions, so that its errors (Redis restarting) are logged, not printed
  // as "Unhandled error event" on every reconnection attempt; ioredis reconnects by itself.
  const conn = new Redis({ ...options });
  conn.on('error', (e: Error) => log.warn('redis (sessions) error', { error: e.message }));
  const persistence = persistenceFactory({ conn });
  const mq = mqFactory({ ...options });
  mq.state.on('error', (e: Error) => log.warn('redis (messages) error', { error: e.message }));
  const putWill = persistence.putWill.bind(persistence);
  persistence.putWill = (client, packet, cb) => {
    const topic = (packet as { topic?: string }).topic ?? '';
    if (!mayPublish(client, topic)) {
      log.warn('will refused: the client may not publish there', { clientId: client.id, topic });
      if (typeof cb === 'function') (cb as (e: null) => void)(null);
      return cb ? undefined : Promise.resolve();
    }
    const own = (client as { broker?: { id: string } }).broker?.id;
    // Stored first, the stale ones dropped after: the connection waits for nothing more than before.
    const drop = (): void => void dropStaleWills(persistence, client.id, own).catch((e: unknown) => log.warn('stale will not dropped', { clientId: client.id, error: e as Error }));
    if (cb) {
      void putWill(client, packet, (err: Error | null, c: unknown) => {
        drop();
        (cb as (e: Error | null, c: unknown) => void)(err, c);
      });
      return undefined;
    }
    const stored = putWill(client, packet);
    void stored?.then(drop);
    return stored;
  };
  return {
    persistence,
    mq,
    close: async () => {
      await persistence.destroy();
    },
  };
}

async function dropStaleWills(p: RedisPersistence, clientId: string, ownBrokerId: string | undefined): Promise<void> {
  for await (const w of p.streamWill() as AsyncIterable<WillPacket>) {
    if (w.clientId === clientId && w.brokerId !== ownBrokerId) await p.delWill({ id: clientId, brokerId: w.brokerId });
  }
}
