/**
 * A durable Aedes persistence in SQLite: persistent sessions (clean: false subscriptions), the QoS 1
 * messages queued for them, retained messages, wills and QoS 2 state survive a broker restart — so
 * an alarm published while the centre was disconnected is still delivered after the gateway's
 * broker restarted. It follows the semantics of aedes-persistence's in-memory implementation and
 * passes that package's abstract test suite (test/gateway/aedes-persistence-suite.ts).
 *
 * Subscriptions and retained messages are also held in memory (a topic trie, as the in-memory
 * persistence does) for fast matching; every change is written through to SQLite first. Queued
 * messages live only in SQLite.
 */
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { deserialize, serialize } from 'node:v8';
import type { Statement } from 'better-sqlite3';
import { type Db, migrate } from '../store/db';
import { GroupCommit } from '../store/group-commit';

type Packet = Record<string, unknown> & { topic?: string; payload?: Buffer; messageId?: number; brokerId?: string; brokerCounter?: number };
type Client = { id: string };
type Sub = { topic: string; qos: number; rh?: number; rap?: boolean; nl?: boolean; subscriptionIdentifier?: number };
type SubRecord = Omit<Sub, 'topic'>;

interface Trie {
  add(topic: string, value: unknown): void;
  remove(topic: string, value: unknown): void;
  match(topic: string): unknown[];
  subscriptionsCount: number;
}
interface TrueTrie {
  add(topic: string): void;
  test(topic: string): boolean;
}

// qlobber is aedes-persistence's own topic matcher; resolve it from there so both agree exactly.
const fromPersistence = (id: string): unknown => require(require.resolve(id, { paths: [dirname(require.resolve('aedes-persistence'))] }));
const QlobberSub = fromPersistence('qlobber/aedes/qlobber-sub') as new (o: object) => Trie;
const { QlobberTrue } = fromPersistence('qlobber') as { QlobberTrue: new (o: object) => TrueTrie };
const PacketClass = require('aedes-packet') as new (p: object, broker?: unknown) => Packet;
const QLOBBER = { wildcard_one: '+', wildcard_some: '#', separator: '/' };

const MIGRATIONS = [
  `CREATE TABLE retained (topic TEXT PRIMARY KEY, packet BLOB NOT NULL);
   CREATE TABLE subscriptions (client_id TEXT NOT NULL, topic TEXT NOT NULL, record BLOB NOT NULL, PRIMARY KEY (client_id, topic));
   CREATE TABLE outgoing (seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL, broker_id TEXT, broker_counter INTEGER, message_id INTEGER, packet BLOB NOT NULL);
   CREATE INDEX outgoing_client ON outgoing(client_id, seq);
   CREATE INDEX outgoing_broker ON outgoing(client_id, broker_id, broker_counter);
   CREATE INDEX outgoing_message ON outgoing(client_id, message_id, seq);
   CREATE TABLE incoming (client_id TEXT NOT NULL, message_id INTEGER NOT NULL, packet BLOB NOT NULL, PRIMARY KEY (client_id, message_id));
   CREATE TABLE wills (client_id TEXT PRIMARY KEY, broker_id TEXT, packet BLOB NOT NULL);`,
];

const pack = (p: object): Buffer => serialize({ ...p });
const unpack = (b: Buffer): Packet => deserialize(b) as Packet;

export interface SqlitePersistenceOptions {
  /** Opens the database (WAL) when the broker starts; a file of its own, e.g. `<dataDir>/broker.db`. */
  open: () => Db;
}

export class SqlitePersistence {
  private db!: Db;
  private group!: GroupCommit;
  private broker: { id: string } | undefined;
  private retained = new Map<string, Packet>();
  private subscriptions = new Map<string, Map<string, SubRecord>>();
  private trie: Trie = new QlobberSub(QLOBBER);
  private destroyed = false;
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly opts: SqlitePersistenceOptions) {}

  async setup(broker: { id: string }): Promise<void> {
    this.broker = broker;
    this.db = this.opts.open();
    migrate(this.db, 'aedes', MIGRATIONS);
    this.group = new GroupCommit(this.db);
    for (const r of this.stmt<[], { topic: string; packet: Buffer }>('SELECT topic, packet FROM retained').iterate()) this.retained.set(r.topic, unpack(r.packet));
    for (const r of this.stmt<[], { client_id: string; topic: string; record: Buffer }>('SELECT client_id, topic, record FROM subscriptions').iterate()) {
      this.remember({ id: r.client_id }, { topic: r.topic, ...(deserialize(r.record) as SubRecord) });
    }
  }

  async storeRetained(pkt: Packet): Promise<void> {
    const packet = { ...pkt };
    const topic = packet.topic!;
    if (!packet.payload || packet.payload.length === 0) {
      this.retained.delete(topic);
      await this.group.write(() => this.stmt('DELETE FROM retained WHERE topic = ?').run(topic));
    } else {
      this.retained.set(topic, packet);
      await this.group.write(() => this.stmt('INSERT INTO retained (topic, packet) VALUES (?, ?) ON CONFLICT(topic) DO UPDATE SET packet = excluded.packet').run(topic, pack(packet)));
    }
  }

  createRetainedStream(pattern: string): Readable {
    return this.createRetainedStreamCombi([pattern]);
  }

  createRetainedStreamCombi(patterns: string[]): Readable {
    const retained = this.retained;
    function* matching(): Generator<Packet> {
      for (const pattern of patterns) {
        const q = new QlobberTrue(QLOBBER);
        q.add(pattern);
        for (const [topic, packet] of retained) if (q.test(topic)) yield packet;
      }
    }
    return Readable.from(matching());
  }

  async addSubscriptions(client: Client, subs: Sub[]): Promise<void> {
    const upsert = this.stmt('INSERT INTO subscriptions (client_id, topic, record) VALUES (?, ?, ?) ON CONFLICT(client_id, topic) DO UPDATE SET record = excluded.record');
    for (const sub of subs) this.remember(client, sub);
    await this.group.write(() => {
      for (const sub of subs) upsert.run(client.id, sub.topic, serialize(record(sub)));
    });
  }

  async removeSubscriptions(client: Client, topics: string[]): Promise<void> {
    const del = this.stmt('DELETE FROM subscriptions WHERE client_id = ? AND topic = ?');
    const written = this.group.write(() => {
      for (const topic of topics) del.run(client.id, topic);
    });
    this.forget(client, topics);
    await written;
  }

  private forget(client: Client, topics: string[]): void {
    const stored = this.subscriptions.get(client.id);
    if (!stored) return;
    for (const topic of topics) {
      const s = stored.get(topic);
      if (s === undefined) continue;
      if (s.qos > 0) this.trie.remove(topic, { clientId: client.id, topic });
      stored.delete(topic);
    }
    if (stored.size === 0) this.subscriptions.delete(client.id);
  }

  async subscriptionsByClient(client: Client): Promise<Sub[]> {
    return [...(this.subscriptions.get(client.id) ?? new Map<string, SubRecord>())].map(([topic, r]) => ({ topic, ...r }));
  }

  async countOffline(): Promise<{ subsCount: number; clientsCount: number }> {
    return { subsCount: this.trie.subscriptionsCount, clientsCount: this.subscriptions.size };
  }

  async subscriptionsByTopic(pattern: string): Promise<unknown[]> {
    return this.trie.match(pattern);
  }

  async cleanSubscriptions(client: Client): Promise<void> {
    const stored = this.subscriptions.get(client.id);
    if (!stored) return;
    await this.removeSubscriptions(client, [...stored.keys()]);
  }

  async outgoingEnqueue(sub: { clientId: string }, packet: Packet): Promise<void> {
    return this.outgoingEnqueueCombi([sub], packet);
  }

  async outgoingEnqueueCombi(subs: { clientId: string }[], packet: Packet): Promise<void> {
    const ins = this.stmt('INSERT INTO outgoing (client_id, broker_id, broker_counter, message_id, packet) VALUES (?, ?, ?, NULL, ?)');
    const queued = pack(new PacketClass(packet));
    // On disk before the publisher gets its PUBACK: the centre will get this message after a restart.
    await this.group.write(() => {
      for (const s of subs) ins.run(s.clientId, packet.brokerId ?? null, packet.brokerCounter ?? null, queued);
    });
  }

  /** Records the packet id given to a queued message, or replaces it (a PUBREL for the same id). */
  async outgoingUpdate(client: Client, packet: Packet): Promise<void> {
    // Written in this turn's transaction without waiting: lost in a crash, the message goes out again.
    this.group.now(() => this.update(client, packet));
  }

  private update(client: Client, packet: Packet): void {
    if (packet.brokerId !== undefined) {
      const exact = this.stmt('UPDATE outgoing SET message_id = ? WHERE seq = (SELECT seq FROM outgoing WHERE client_id = ? AND broker_id = ? AND broker_counter = ? ORDER BY seq LIMIT 1)');
      if (exact.run(packet.messageId ?? null, client.id, packet.brokerId, packet.brokerCounter ?? null).changes > 0) return;
    }
    const replace = this.stmt('UPDATE outgoing SET broker_id = ?, broker_counter = ?, message_id = ?, packet = ? WHERE seq = (SELECT seq FROM outgoing WHERE client_id = ? AND message_id = ? AND broker_id IS NOT ? ORDER BY seq LIMIT 1)');
    if (replace.run(packet.brokerId ?? null, packet.brokerCounter ?? null, packet.messageId ?? null, pack(packet), client.id, packet.messageId ?? null, packet.brokerId ?? null).changes > 0) return;
    throw new Error('no such packet');
  }

  async outgoingClearMessageId(client: Client, packet: Packet): Promise<Packet | undefined> {
    const row = this.stmt<[string, number | null], { seq: number; message_id: number | null; packet: Buffer }>('SELECT seq, message_id, packet FROM outgoing WHERE client_id = ? AND message_id = ? ORDER BY seq LIMIT 1').get(client.id, packet.messageId ?? null);
    if (!row) return undefined;
    this.group.now(() => this.stmt('DELETE FROM outgoing WHERE seq = ?').run(row.seq));
    return withMessageId(row);
  }

  outgoingStream(client: Client): Readable {
    const rows = this.stmt<[string], { message_id: number | null; packet: Buffer }>('SELECT message_id, packet FROM outgoing WHERE client_id = ? ORDER BY seq').all(client.id);
    return Readable.from(rows.map(withMessageId));
  }

  async incomingStorePacket(client: Client, packet: Packet): Promise<void> {
    const p = new PacketClass(packet);
    p.messageId = packet.messageId;
    await this.group.write(() => this.stmt('INSERT INTO incoming (client_id, message_id, packet) VALUES (?, ?, ?) ON CONFLICT(client_id, message_id) DO UPDATE SET packet = excluded.packet').run(client.id, packet.messageId, pack(p)));
  }

  async incomingGetPacket(client: Client, packet: Packet): Promise<Packet> {
    const row = this.stmt<[string, number | undefined], { packet: Buffer }>('SELECT packet FROM incoming WHERE client_id = ? AND message_id = ?').get(client.id, packet.messageId);
    if (!row) throw new Error('no such packet');
    return unpack(row.packet);
  }

  async incomingDelPacket(client: Client, packet: Packet): Promise<void> {
    if (this.group.now(() => this.stmt('DELETE FROM incoming WHERE client_id = ? AND message_id = ?').run(client.id, packet.messageId)).changes === 0) throw new Error('no such packet');
  }

  async cleanIncoming(client: Client): Promise<void> {
    await this.group.write(() => this.stmt('DELETE FROM incoming WHERE client_id = ?').run(client.id));
  }

  async putWill(client: Client, packet: Packet): Promise<void> {
    packet.brokerId = this.broker!.id;
    packet.clientId = client.id;
    await this.group.write(() => this.stmt('INSERT INTO wills (client_id, broker_id, packet) VALUES (?, ?, ?) ON CONFLICT(client_id) DO UPDATE SET broker_id = excluded.broker_id, packet = excluded.packet').run(client.id, packet.brokerId, pack(packet)));
  }

  async getWill(client: Client): Promise<Packet | undefined> {
    const row = this.stmt<[string], { packet: Buffer }>('SELECT packet FROM wills WHERE client_id = ?').get(client.id);
    return row ? unpack(row.packet) : undefined;
  }

  async delWill(client: Client): Promise<Packet | undefined> {
    const will = await this.getWill(client);
    this.group.now(() => this.stmt('DELETE FROM wills WHERE client_id = ?').run(client.id));
    return will;
  }

  streamWill(brokers: Record<string, unknown> = {}): Readable {
    const rows = this.stmt<[], { broker_id: string | null; packet: Buffer }>('SELECT broker_id, packet FROM wills').all();
    return Readable.from(rows.filter((r) => !brokers[r.broker_id ?? '']).map((r) => unpack(r.packet)));
  }

  getClientList(topic: string): Readable {
    const ids: string[] = [];
    for (const [clientId, topics] of this.subscriptions) if (topics.has(topic)) ids.push(clientId);
    return Readable.from(ids);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) throw new Error('destroyed called twice!');
    this.destroyed = true;
    this.group?.flush();
    this.db?.close();
  }

  /** Prepared once per SQL text: preparing costs more than running these small statements. */
  private stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st as unknown as Statement<P, R>;
  }

  /** Adds a subscription to the in-memory view, exactly as the in-memory persistence does. */
  private remember(client: Client, sub: Sub): void {
    let stored = this.subscriptions.get(client.id);
    if (!stored) {
      stored = new Map();
      this.subscriptions.set(client.id, stored);
    }
    const previous = stored.get(sub.topic);
    if (sub.qos > 0) this.trie.add(sub.topic, { clientId: client.id, topic: sub.topic, qos: sub.qos, rh: sub.rh, rap: sub.rap, nl: sub.nl });
    else if (previous && previous.qos > 0) this.trie.remove(sub.topic, { clientId: client.id, topic: sub.topic });
    stored.set(sub.topic, record(sub));
  }
}

function record(sub: Sub): SubRecord {
  const r: SubRecord = { qos: sub.qos, rh: sub.rh, rap: sub.rap, nl: sub.nl };
  // MQTT 5 subscription identifier: kept only when present, so v3 records keep their exact shape
  if (sub.subscriptionIdentifier !== undefined) r.subscriptionIdentifier = sub.subscriptionIdentifier;
  return r;
}

function withMessageId(row: { message_id: number | null; packet: Buffer }): Packet {
  const p = unpack(row.packet);
  if (row.message_id !== null) p.messageId = row.message_id;
  return p;
}
