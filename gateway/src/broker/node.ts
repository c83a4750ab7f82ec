/**
 * A broker on its own (`npx vigil broker --config broker.yaml`): the Aedes broker of the gateway with
 * its users and ACLs, run as a node of a broker cluster sharing Redis (redis.ts), or alone with its
 * sessions in SQLite. Monitoring companies run two or more nodes behind the list of URLs every gateway
 * and centre worker is given (docs/scale.md).
 */
import { createLogger, type Logger } from '../../../common/log';
import { type JsonSchema, readConfigFile, validateConfig } from '../../../common/schema';
import { type BrokerListeners, type BrokerUser, EmbeddedBroker } from './broker';
import { redisBrokerParts, type RedisBrokerParts } from './redis';

export interface BrokerNodeConfig {
  /** Unique per node (Aedes broker id); random when absent. */
  id?: string;
  /** `redis://host:port[/db]`, shared by every node of the cluster. Absent: a lone broker. */
  redis?: string;
  /** A lone broker keeps sessions and queued messages in `<dataDir>/broker.db` (SQLite). */
  dataDir?: string;
  listeners: BrokerListeners;
  users: BrokerUser[];
  /** How often nodes announce themselves; a node silent for 3 periods is dead and its clients' wills go out. */
  heartbeatS: number;
}

const listener = { type: 'object', additionalProperties: false, required: ['port'], properties: { host: { type: 'string', default: '0.0.0.0' }, port: { type: 'integer', minimum: 0, maximum: 65535 } } };

export const BROKER_NODE_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['listeners', 'users'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
    redis: { type: 'string', pattern: '^redis://' },
    dataDir: { type: 'string', minLength: 1 },
    listeners: {
      type: 'object', additionalProperties: false, minProperties: 1,
      properties: {
        tcp: listener, ws: listener,
        tls: { type: 'object', additionalProperties: false, required: ['port', 'certFile', 'keyFile'], properties: { host: { type: 'string', default: '0.0.0.0' }, port: { type: 'integer', minimum: 0, maximum: 65535 }, certFile: { type: 'string' }, keyFile: { type: 'string' } } },
      },
    },
    users: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', additionalProperties: false, required: ['username', 'passwordHash', 'role'],
        properties: {
          username: { type: 'string', minLength: 1 }, passwordHash: { type: 'string', pattern: '^scrypt\\$' }, role: { enum: ['gateway', 'centre', 'console', 'integrator'] },
          siteId: { type: 'string', minLength: 1 }, gatewayId: { type: 'string', minLength: 1 },
        },
      },
    },
    heartbeatS: { type: 'integer', minimum: 1, maximum: 600, default: 10 },
  },
};

export function loadBrokerNodeConfig(file: string): BrokerNodeConfig {
  const raw = readConfigFile(file);
  return validateConfig<BrokerNodeConfig>(BROKER_NODE_SCHEMA, raw, file);
}

export class BrokerNode {
  readonly broker: EmbeddedBroker;
  private readonly parts: RedisBrokerParts | undefined;

  constructor(readonly config: BrokerNodeConfig, private readonly log: Logger = createLogger('broker')) {
    this.parts = config.redis ? redisBrokerParts(config.redis, log.child('redis'), (client, topic) => this.broker.mayPublish(client, topic)) : undefined;
    this.broker = new EmbeddedBroker({
      ...(config.id ? { id: config.id } : {}),
      listeners: config.listeners, users: config.users, log,
      heartbeatIntervalMs: config.heartbeatS * 1000,
      ...(this.parts ? { persistence: this.parts.persistence, mq: this.parts.mq } : config.dataDir ? { dataDir: config.dataDir } : {}),
    });
  }

  async start(): Promise<void> {
    await this.broker.start();
    this.log.info('broker node started', { id: this.config.id ?? null, mode: this.parts ? 'redis' : this.config.dataDir ? 'sqlite' : 'memory', ports: this.broker.ports });
  }

  async stop(): Promise<void> {
    await this.broker.stop();
    await this.parts?.close().catch(() => undefined);
  }
}
