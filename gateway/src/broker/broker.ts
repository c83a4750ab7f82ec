/**
 * The embedded MQTT broker (Aedes) of a site gateway, or of a single-box installation: TCP,
 * WebSocket and TLS listeners, per-client credentials with scrypt hashes, and the topic ACLs of
 * acl.ts as Aedes hooks. Persistence is injected (memory by default; see persistence options).
 */
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { verifyPasswordAsync } from '../../../common/passwords';
import { createLogger, type Logger } from '../../../common/log';
import { canPublish, canReceive, canSubscribe, type Identity } from './acl';
import { type Claim, claimClientId, guardStoredSubscriptions, ownerOf, pruneSession, type SessionPersistence } from './sessions';
import { type QueuePersistence, SessionQueues } from './quotas';
import { holdUntilConnack, releaseHeld } from './connack-hold';
import type { Role } from '../../../protocol/src';
import { openDb } from '../store/db';
import { SqlitePersistence } from './persistence-sqlite';

export interface BrokerUser {
  username: string;
  passwordHash: string;
  role: Role;
  siteId?: string;
  gatewayId?: string;
}

export interface BrokerListeners {
  tcp?: { host: string; port: number };
  ws?: { host: string; port: number };
  tls?: { host: string; port: number; certFile: string; keyFile: string };
}

export interface BrokerOptions {
  id?: string;
  listeners: BrokerListeners;
  users: BrokerUser[];
  /**
   * Where persistent sessions, queued QoS 1 messages and retained messages live: `<dataDir>/broker.db`
   * (SQLite, survives restarts). Without it, and without `persistence`, they are kept in memory.
   */
  dataDir?: string;
  /** An Aedes persistence instance, e.g. Redis for a broker cluster (overrides dataDir). */
  persistence?: unknown;
  /** Aedes mqemitter instance (in-process when absent). */
  mq?: unknown;
  /** How often a node of a broker cluster tells the others it is alive (Aedes default 60 s; redis.ts). */
  heartbeatIntervalMs?: number;
  log?: Logger;
}

type AuthError = Error & { returnCode: number };

export class EmbeddedBroker {
  private aedes: Aedes | undefined;
  private servers: (Server | HttpServer)[] = [];
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly identities = new WeakMap<Client, Identity>();
  private readonly log: Logger;
  readonly ports: { tcp?: number; ws?: number; tls?: number } = {};
  /** Rejections by reason, for the health endpoint. */
  readonly counters = { authFailed: 0, clientIdTaken: 0, publishDenied: 0, subscribeDenied: 0, sessionSubscriptionsDropped: 0, forwardDenied: 0, sessionsExceeded: 0, queueFull: 0, connections: 0, errors: 0 };
  private ownPersistence: SqlitePersistence | undefined;
  private queues: SessionQueues | undefined;

  constructor(private readonly opts: BrokerOptions) {
    this.log = opts.log ?? createLogger('broker');
  }

  async start(): Promise<void> {
    const users = new Map(this.opts.users.map((u) => [u.username, u]));
    const dataDir = this.opts.dataDir;
    if (!this.opts.persistence && dataDir !== undefined) this.ownPersistence = new SqlitePersistence({ open: () => openDb(dataDir, 'broker.db') });
    const persistence = this.opts.persistence ?? this.ownPersistence;
    const options: AedesOptions = {
      ...(this.opts.id ? { id: this.opts.id } : {}),
      ...(persistence ? { persistence } : {}),
      ...(this.opts.mq ? { mq: this.opts.mq } : {}),
      ...(this.opts.heartbeatIntervalMs ? { heartbeatInterval: this.opts.heartbeatIntervalMs } : {}),
      preConnect: (client, _packet, done) => {
        holdUntilConnack(client);
        done(null, true);
      },
      authenticate: (client, username, password, done) => {
        const refuse = (): void => {
          this.counters.authFailed++;
          this.log.warn('mqtt login refused', { username: username ?? null, clientId: client.id });
          const err = new Error('Bad username or password') as AuthError;
          err.returnCode = 4;
          done(err, false);
        };
        // No name or no password: nothing to compare, and no name whose existence the time could tell,
        // so no scrypt (which would cost 50 ms of CPU per anonymous connection, a flood's lever).
        if (username === undefined || password === undefined) return refuse();
        const user = users.get(username);
        void verifyPasswordAsync(password.toString('utf8'), user?.passwordHash).then((ok) => (ok && user ? this.admit(client, user, done) : refuse()));
      },
      authorizePublish: (client, packet, done) => {
        // A will left by a client of a dead node of a broker cluster, published by this node without
        // its client (Aedes' will sweep). It was authorised when it was stored (mayPublish, redis.ts);
        // an error here would be an unhandled rejection inside Aedes' sweep and end the process.
        if (!client && typeof (packet as { brokerId?: unknown }).brokerId === 'string') return done(null);
        const who = client ? this.identities.get(client) : undefined;
        if (!who || !canPublish(who, packet.topic)) {
          this.counters.publishDenied++;
          this.log.warn('mqtt publish denied', { username: who?.username ?? null, topic: packet.topic });
          return done(new Error(`publish to ${packet.topic} not allowed`));
        }
        done(null);
      },
      authorizeSubscribe: (client, sub, done) => {
        const who = this.identities.get(client);
        if (!who || !canSubscribe(who, sub.topic)) {
          this.counters.subscribeDenied++;
          this.log.warn('mqtt subscribe denied', { username: who?.username ?? null, filter: sub.topic });
          return done(null, null);
        }
        done(null, sub);
      },
      // Every delivery, a persistent session's queued messages included: only what the receiver may read.
      authorizeForward: (client, packet) => {
        const who = this.identities.get(client);
        if (who && canReceive(who, packet.topic)) return packet;
        this.counters.forwardDenied++;
        this.log.warn('mqtt delivery denied', { username: who?.username ?? null, topic: packet.topic });
        return null;
      },
    };
    const aedes = await Aedes.createBroker(options);
    this.aedes = aedes;
    guardStoredSubscriptions(this.sessionStore(), (c) => this.identities.get(c));
    this.queues = new SessionQueues(this.sessionStore() as unknown as QueuePersistence, {
      ownerRole: async (id) => users.get((await ownerOf(this.sessionStore(), id)) ?? '')?.role,
      now: () => Date.now(),
      dropped: () => this.counters.queueFull++,
    });
    this.queues.install();
    // A persistence failure surfaces as an 'error' event; unhandled it would end the process.
    (aedes as unknown as NodeJS.EventEmitter).on('error', (e: Error) => {
      this.counters.errors++;
      this.log.error('broker error', { error: e.message });
    });
    aedes.on('client', () => this.counters.connections++);
    aedes.on('connackSent', (_connack, client) => releaseHeld(client, true));
    const { tcp, ws, tls } = this.opts.listeners;
    if (tcp) this.ports.tcp = await this.listen(createServer(aedes.handle), tcp.host, tcp.port);
    if (tls) {
      const server = createTlsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, aedes.handle);
      this.ports.tls = await this.listen(server, tls.host, tls.port);
    }
    if (ws) {
      const http = createHttpServer();
      this.wss = new WebSocketServer({ server: http });
      this.wss.on('connection', (socket, req) => aedes.handle(createWebSocketStream(socket), req));
      this.ports.ws = await this.listen(http, ws.host, ws.port);
    }
  }

  /**
   * A user whose password is right: admitted if the client id is theirs (sessions.ts), with what a
   * persistent session under it kept re-authorised against this user's ACL.
   */
  private admit(client: Client, user: BrokerUser, done: (err: AuthError | null, ok: boolean) => void): void {
    const identity: Identity = { username: user.username, role: user.role };
    if (user.siteId !== undefined) identity.siteId = user.siteId;
    if (user.gatewayId !== undefined) identity.gatewayId = user.gatewayId;
    this.claim(client, identity).then((claim) => {
      if (claim !== 'mine') {
        if (claim === 'taken') this.counters.clientIdTaken++;
        else this.counters.sessionsExceeded++;
        this.log.warn(claim === 'taken' ? 'mqtt client id belongs to another user' : 'mqtt persistent sessions: too many for this user', { username: user.username, clientId: client.id });
        const err = new Error(claim === 'taken' ? 'Client id in use by another user' : 'Too many persistent sessions') as AuthError;
        err.returnCode = 2; // identifier rejected (MQTT 3.1.1 §3.2.2.3)
        return done(err, false);
      }
      this.identities.set(client, identity);
      done(null, true);
    }, (e: unknown) => {
      this.counters.errors++;
      this.log.error('mqtt client id not checked', { clientId: client.id, error: e as Error });
      const err = new Error('Server unavailable') as AuthError;
      err.returnCode = 3;
      done(err, false);
    });
  }

  private async claim(client: Client, who: Identity): Promise<Claim> {
    const aedes = this.aedes;
    if (!aedes) return 'mine'; // stopping: Aedes drops the connection itself
    const persistence = this.sessionStore();
    const clients = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients;
    const liveOwner = (id: string): Identity | undefined => {
      const live = clients[id];
      return live && live !== client ? this.identities.get(live) : undefined;
    };
    const claim = await claimClientId({ persistence, brokerId: aedes.id, liveOwner }, client, who);
    if (claim !== 'mine' || client.clean) return claim;
    this.queues?.knownAs(client.id, who.role);
    const dropped = await pruneSession(persistence, client.id, who);
    if (dropped) {
      this.counters.sessionSubscriptionsDropped += dropped;
      this.log.warn('mqtt session subscriptions dropped: not allowed for this user', { username: who.username, clientId: client.id, dropped });
    }
    return 'mine';
  }

  private sessionStore(): SessionPersistence {
    return (this.aedes as unknown as { persistence: SessionPersistence }).persistence;
  }

  /** Whether this client may publish on `topic` (a will is checked before it is stored: redis.ts). */
  mayPublish(client: object, topic: string): boolean {
    const who = this.identities.get(client as Client);
    return who !== undefined && canPublish(who, topic);
  }

  get connectedClients(): number {
    return this.aedes?.connectedClients ?? 0;
  }

  /** Publishes from inside the broker process (no client); used for the broker's own status. */
  publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new Error('broker not started'));
    return new Promise((resolve, reject) => {
      aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false }, (err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  async stop(): Promise<void> {
    const aedes = this.aedes;
    this.aedes = undefined;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await this.ownPersistence?.destroy().catch(() => undefined);
    this.ownPersistence = undefined;
    this.wss?.clients.forEach((c) => c.terminate());
    this.wss?.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers = [];
  }

  private listen(server: Server | HttpServer, host: string, port: number): Promise<number> {
    server.on('connection', (socket: Socket) => {
      // MQTT is small request/response packets: Nagle's algorithm with delayed ACKs would hold each
      // PUBACK for up to 40 ms and cap a client at a window's worth of messages per 40 ms.
      socket.setNoDelay?.(true);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        this.servers.push(server);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }
}
