/**
 * The MQTT contract (SPEC §7): one table of topics with their QoS, retain flag, payload schema and
 * which roles may publish or subscribe. The broker's ACL hooks and SPEC.md are generated from it.
 */
export const TOPIC_ROOT = 'vigil/v1';

export type Role = 'gateway' | 'centre' | 'console' | 'integrator';

export interface TopicSpec {
  name: TopicName;
  /** `{siteId}` and `{gatewayId}`, `{alarmId}` are single topic levels. */
  pattern: string;
  qos: 0 | 1;
  retain: boolean;
  /** Payload schema name in payloads.ts. */
  payload: string;
  publishers: readonly Role[];
  subscribers: readonly Role[];
  description: string;
}

export type TopicName = 'gatewayStatus' | 'uplink' | 'statusUplink' | 'input' | 'downlink' | 'keyring' | 'siteState' | 'alarm' | 'centreStatus' | 'integrationStatus';

export const TOPICS: readonly TopicSpec[] = [
  {
    name: 'gatewayStatus', pattern: `${TOPIC_ROOT}/sites/{siteId}/gateways/{gatewayId}/status`, qos: 1, retain: true, payload: 'gatewayStatus',
    publishers: ['gateway'], subscribers: ['centre', 'console', 'integrator'],
    description: 'gateway health; also its MQTT last will (online: false)',
  },
  {
    name: 'uplink', pattern: `${TOPIC_ROOT}/sites/{siteId}/gateways/{gatewayId}/uplink`, qos: 1, retain: false, payload: 'uplink',
    publishers: ['gateway'], subscribers: ['centre'],
    description: 'one verified, de-duplicated radio frame with its raw bytes; the centre verifies it again. Every frame but heartbeats, positions and settings acknowledgements (alarms, pre-alarms, cancels, check-ins, protection, low battery)',
  },
  {
    name: 'statusUplink', pattern: `${TOPIC_ROOT}/sites/{siteId}/gateways/{gatewayId}/uplink/{shard}`, qos: 1, retain: false, payload: 'uplink',
    publishers: ['gateway'], subscribers: ['centre'],
    description: 'the same for heartbeats, positions and settings acknowledgements, by shard of the device id (`uplinkShard`, two digits 00–63): a centre worker subscribes to the shards it owns',
  },
  {
    name: 'input', pattern: `${TOPIC_ROOT}/sites/{siteId}/gateways/{gatewayId}/input`, qos: 1, retain: false, payload: 'input',
    publishers: ['gateway'], subscribers: ['centre'],
    description: 'a wired input (panic button, pull-cord) changed state',
  },
  {
    name: 'downlink', pattern: `${TOPIC_ROOT}/sites/{siteId}/downlink`, qos: 1, retain: false, payload: 'downlink',
    publishers: ['centre'], subscribers: ['gateway'],
    description: 'a command for a pendant; every gateway of the site that heard the pendant recently transmits it',
  },
  {
    name: 'keyring', pattern: `${TOPIC_ROOT}/sites/{siteId}/keyring`, qos: 1, retain: true, payload: 'keyring',
    publishers: ['centre'], subscribers: ['gateway'],
    description: 'device ids and keys of the site’s pendants, for the gateways to verify frames',
  },
  {
    name: 'siteState', pattern: `${TOPIC_ROOT}/sites/{siteId}/state`, qos: 1, retain: true, payload: 'siteState',
    publishers: ['centre'], subscribers: ['gateway', 'console', 'integrator'],
    description: 'open alarms at the site, for sirens and strobes',
  },
  {
    name: 'alarm', pattern: `${TOPIC_ROOT}/alarms/{alarmId}`, qos: 1, retain: false, payload: 'alarm',
    publishers: ['centre'], subscribers: ['console', 'integrator'],
    description: 'every alarm state change',
  },
  {
    name: 'centreStatus', pattern: `${TOPIC_ROOT}/centre/status`, qos: 1, retain: true, payload: 'centreStatus',
    publishers: ['centre'], subscribers: ['gateway', 'console', 'integrator'],
    description: 'rules service health; also its MQTT last will',
  },
  {
    name: 'integrationStatus', pattern: `${TOPIC_ROOT}/integrations/{integrationId}/status`, qos: 1, retain: true, payload: 'integrationStatus',
    publishers: ['integrator'], subscribers: ['centre', 'console'],
    description: 'health of an integration (e.g. the SIA DC-09 link to an alarm-receiving centre); not ok → technical alarm',
  },
];

/**
 * Status frames travel on one of a fixed number of shard topics chosen by the device id, so that a
 * centre worker can subscribe to the devices it owns and not to every heartbeat of the fleet (Aedes
 * has no shared subscriptions). Fixed by the protocol: gateways and centres of different versions
 * must agree on it.
 */
export const UPLINK_SHARDS = 64;

/** FNV-1a, 32 bits, over the string's UTF-16 code units: stable across processes, machines and versions. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The frames that travel on the status shards: heartbeats, positions and settings acknowledgements,
 * whose loss in a centre failover costs a last-seen time, a position a few seconds old, or a setting
 * sent once more (the centre repeats an unacknowledged one; applying it twice is harmless). Everything else (alarms,
 * pre-alarms, cancels, check-ins, protection, low battery) is on the one uplink topic every centre
 * worker receives and stores.
 */
export function travelsOnShard(type: string): boolean {
  return type === 'heartbeat' || type === 'position' || type === 'setting';
}

/** The shard of a device id as the gateway decoded it (8 lower-case hex digits). */
export function uplinkShard(deviceId: string): number {
  return hash32(deviceId) % UPLINK_SHARDS;
}

/** A shard as its topic level: two digits. */
export function shardLevel(shard: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= UPLINK_SHARDS) throw new Error(`Invalid uplink shard ${shard}`);
  return String(shard).padStart(2, '0');
}

/** The shard a topic level names, or undefined. */
export function parseShardLevel(level: string | undefined): number | undefined {
  if (level === undefined || !/^[0-9]{2}$/.test(level)) return undefined;
  const n = Number(level);
  return n < UPLINK_SHARDS ? n : undefined;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Site, gateway and alarm ids must be one clean topic level. */
export function isTopicId(id: string): boolean {
  return ID_RE.test(id);
}

function fill(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const v = params[k];
    if (v === undefined || !isTopicId(v)) throw new Error(`Invalid topic parameter ${k}='${String(v)}'`);
    return v;
  });
}

const BY_NAME = new Map(TOPICS.map((t) => [t.name, t]));

export function topicSpec(name: TopicName): TopicSpec {
  return BY_NAME.get(name)!;
}

export const topic = {
  gatewayStatus: (siteId: string, gatewayId: string) => fill(topicSpec('gatewayStatus').pattern, { siteId, gatewayId }),
  uplink: (siteId: string, gatewayId: string) => fill(topicSpec('uplink').pattern, { siteId, gatewayId }),
  statusUplink: (siteId: string, gatewayId: string, shard: number) => fill(topicSpec('statusUplink').pattern, { siteId, gatewayId, shard: shardLevel(shard) }),
  input: (siteId: string, gatewayId: string) => fill(topicSpec('input').pattern, { siteId, gatewayId }),
  downlink: (siteId: string) => fill(topicSpec('downlink').pattern, { siteId }),
  keyring: (siteId: string) => fill(topicSpec('keyring').pattern, { siteId }),
  siteState: (siteId: string) => fill(topicSpec('siteState').pattern, { siteId }),
  alarm: (alarmId: string) => fill(topicSpec('alarm').pattern, { alarmId }),
  centreStatus: () => topicSpec('centreStatus').pattern,
  integrationStatus: (integrationId: string) => fill(topicSpec('integrationStatus').pattern, { integrationId }),
};

/** The subscription filter for a topic: parameters given are fixed, the others become `+`. */
export function topicFilter(name: TopicName, params: Record<string, string> = {}): string {
  return topicSpec(name).pattern.replace(/\{(\w+)\}/g, (_m, k: string) => {
    const v = params[k];
    if (v === undefined) return '+';
    if (!isTopicId(v)) throw new Error(`Invalid topic parameter ${k}='${v}'`);
    return v;
  });
}

export interface ParsedTopic {
  spec: TopicSpec;
  params: Record<string, string>;
}

const MATCHERS = TOPICS.map((spec) => {
  const names: string[] = [];
  const re = new RegExp('^' + spec.pattern.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_m, k: string) => {
    names.push(k);
    return '([^/+#]+)';
  }) + '$');
  return { spec, re, names };
});

/** Recognises a concrete topic; undefined for anything outside the contract. */
export function parseTopic(t: string): ParsedTopic | undefined {
  for (const m of MATCHERS) {
    const match = m.re.exec(t);
    if (!match) continue;
    const params: Record<string, string> = {};
    m.names.forEach((n, i) => (params[n] = match[i + 1]!));
    if (Object.entries(params).every(([k, v]) => (k === 'shard' ? parseShardLevel(v) !== undefined : isTopicId(v)))) return { spec: m.spec, params };
  }
  return undefined;
}
