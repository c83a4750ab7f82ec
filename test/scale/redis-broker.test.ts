/**
 * Broker nodes sharing Redis (`vigil broker` processes): a message published on one node reaches a
 * subscriber on the other; when the subscriber's node is killed with SIGKILL, the QoS 1 messages
 * published meanwhile wait in Redis for its persistent session and arrive after it failed over to the
 * other node (its list of broker URLs); the will of a client that died with its node is published by
 * the surviving node (which must survive doing it), and the will of a client that moved is not;
 * retained messages are shared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { MqttBus } from '../../common/mqtt-bus';
import { createLogger } from '../../common/log';
import { topic, topicFilter } from '../../protocol/src';
import { type MqttUser, startBrokerNode, type VigilChild } from '../../rig/cluster';
import { freePort } from '../../rig/mosquitto';
import { Redis } from '../../rig/redis';
import { waitForEvent } from '../../rig/wait';

const log = createLogger('test', 'silent');
const USERS: MqttUser[] = [
  { username: 'centre', password: 'centre-pw', role: 'centre' },
  { username: 'gw-1', password: 'gw-pw', role: 'gateway', siteId: 's1', gatewayId: 'gw-1' },
  { username: 'watch', password: 'watch-pw', role: 'integrator' },
  { username: 'gw-2', password: 'gw2-pw', role: 'gateway', siteId: 's1', gatewayId: 'gw-2' },
];

describe('broker nodes over Redis', () => {
  let dir: string;
  let redis: Redis;
  const nodes: VigilChild[] = [];
  const buses: MqttBus[] = [];
  let urls: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-brokers-'));
    redis = await Redis.start();
    const ports = [await freePort(), await freePort()];
    urls = ports.map((p) => `mqtt://127.0.0.1:${p}`);
    nodes.push(await startBrokerNode(dir, 'broker-a', ports[0]!, redis.url, USERS));
    nodes.push(await startBrokerNode(dir, 'broker-b', ports[1]!, redis.url, USERS));
  }, 60_000);

  afterAll(async () => {
    for (const b of buses) await b.close().catch(() => undefined);
    for (const n of nodes) await n.stop();
    await redis?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers across nodes, and the QoS 1 messages of a node killed under traffic after failing over', async () => {
    // The centre (subscriber) on node A first; the gateway (publisher) on node B only.
    // Its will must not outlive its move to node B (a stale will would say a live centre is offline).
    const centre = await MqttBus.connect({
      url: urls, clientId: 'centre-1', username: 'centre', password: 'centre-pw', log, reconnectPeriodMs: 200,
      will: { topic: topic.centreStatus(), payload: '{"will":"centre-1"}', qos: 1, retain: false },
    });
    const gw = await MqttBus.connect({ url: urls[1]!, clientId: 'gw-1', username: 'gw-1', password: 'gw-pw', log });
    buses.push(centre, gw);
    const got = new EventEmitter<{ msg: [string] }>();
    const received: string[] = [];
    await centre.subscribe(topicFilter('uplink'), 1, (_t, p) => {
      const s = Buffer.from(p).toString();
      received.push(s);
      got.emit('msg', s);
    });
    const uplink = topic.uplink('s1', 'gw-1');
    const first = waitForEvent<[string]>(got, 'msg', (m) => m === 'm0', 10_000, 'm0 through the other node');
    await gw.publish(uplink, 'm0', { qos: 1 });
    await first;

    // A second gateway, on node A only, with its will; a watcher on node B.
    const watcher = await MqttBus.connect({ url: urls[1]!, clientId: 'watch-will', username: 'watch', password: 'watch-pw', log, clean: true });
    buses.push(watcher);
    const wills = new EventEmitter<{ msg: [string] }>();
    const seenWills: string[] = [];
    const onWill = (_t: string, payload: Uint8Array): void => {
      seenWills.push(Buffer.from(payload).toString());
      wills.emit('msg', Buffer.from(payload).toString());
    };
    await watcher.subscribe(topicFilter('gatewayStatus'), 1, onWill);
    await watcher.subscribe(topic.centreStatus(), 1, onWill);
    const gw2 = await MqttBus.connect({
      url: urls[0]!, clientId: 'gw-2', username: 'gw-2', password: 'gw2-pw', log, reconnectPeriodMs: 60_000,
      will: { topic: topic.gatewayStatus('s1', 'gw-2'), payload: '{"state":"offline"}', qos: 1, retain: false },
    });
    buses.push(gw2);
    const willSeen = waitForEvent<[string]>(wills, 'msg', (m) => m.includes('offline'), 30_000, "gw-2's will, published by node B once node A is known dead");

    await nodes[0]!.kill9();
    // Published while the centre has no connection at all: queued in Redis for its session.
    for (let i = 1; i <= 20; i++) await gw.publish(uplink, `m${i}`, { qos: 1 });
    await waitForEvent<[string]>(got, 'msg', () => ['m0', ...Array.from({ length: 20 }, (_, i) => `m${i + 1}`)].every((m) => received.includes(m)), 20_000, 'the 20 messages queued for the centre');
    expect(received.filter((m) => m === 'm5')).toHaveLength(1);
    await willSeen;
    expect(nodes[1]!.alive).toBe(true);
    // Published after node B's sweep of node A's wills: everything that sweep sent has arrived before it.
    const marker = waitForEvent<[string]>(wills, 'msg', (m) => m === 'marker', 10_000, 'the marker after the sweep');
    await gw.publish(topic.gatewayStatus('s1', 'gw-1'), 'marker', { qos: 1 });
    await marker;
    expect(seenWills.filter((m) => m.includes('centre-1'))).toEqual([]);
  }, 60_000);

  it('shares retained messages between nodes', async () => {
    const gw = buses[1]!;
    await gw.publish(topic.gatewayStatus('s1', 'gw-1'), JSON.stringify({ retained: true }), { qos: 1, retain: true });
    const watcher = await MqttBus.connect({ url: urls[1]!, clientId: 'watch-1', username: 'watch', password: 'watch-pw', log, clean: true });
    buses.push(watcher);
    const seen = new EventEmitter<{ msg: [string] }>();
    const p = waitForEvent<[string]>(seen, 'msg', () => true, 10_000, 'the retained status');
    await watcher.subscribe(topicFilter('gatewayStatus'), 1, (_t, payload) => void seen.emit('msg', Buffer.from(payload).toString()));
    expect((await p)[0]).toContain('retained');
  }, 30_000);
});
