/**
 * Centre configuration (YAML), validated once at start with every error reported by path. Every
 * section but dataDir, mqtt and http has defaults, so a minimal file stays three lines.
 */
import { existsSync } from 'node:fs';
import type { HttpSmsAuth } from './notify/sms/http-sms';
import type { RetentionConfig } from './ops/retention';
import { ConfigError, type JsonSchema, mqttClientSchema, readConfigFile, validateConfig } from '../../common/schema';
import { DEFAULT_ENDPOINT_HOSTS } from './notify/push/subscription';
import { vapidProblems } from './notify/push/vapid';
import { VOICE_LANGUAGES, type VoiceLanguage } from './notify/voice/prompts';

export interface SessionsConfig {
  /** Reminder before a timed session ends (pendant haptic + SMS), minutes. */
  reminderBeforeMin: number;
  /** Time to confirm a check-in prompt before `check_in_missed`, seconds. */
  checkInGraceS: number;
  /** Check-in interval for protection mode switched on at the pendant (0 = none), minutes. */
  protectionCheckInMin: number;
  /** Longest timed session accepted, hours. */
  maxDurationH: number;
}

export interface SupervisionConfig {
  /** The pendants' heartbeat period while protected, seconds. */
  heartbeatIntervalS: number;
  /** `device_silent` after this many heartbeat periods without any frame. */
  silentAfterHeartbeats: number;
  /** `gateway_offline` after this many of the gateway's own heartbeat periods without a status. */
  gatewayMissedHeartbeats: number;
  lowBatteryPct: number;
  /** A pre-alarm becomes an alarm on the server after this long without an alarm or cancel frame. */
  preAlarmTimeoutS: number;
}

export interface EscalationConfig {
  /** Ladder used when neither the worker nor the site names one. */
  defaultLadderId: string | null;
  /** Wait per call-list entry of a session, seconds. */
  callListTimeoutS: number;
  /** Period of the "every supervisor" rounds once a ladder is exhausted, seconds. */
  broadcastRepeatS: number;
  /** Public address of the centre, for responder links `/r/<token>` and webhook callbacks. */
  publicUrl: string | null;
  responderTokenTtlH: number;
  /** Consecutive failures of a channel before a `notifier_failed` alarm. */
  notifierFailuresBeforeAlarm: number;
  maxAttempts: number;
  /** Language of messages to recipients who have none (en, fr, nl, de, es, sv, nb); default en. */
  defaultLanguage?: string;
}

export interface SmsConfig {
  port: string;
  baudRate: number;
  pin?: string;
}

/** An HTTP SMS provider: Twilio's preset, or a URL with auth and a body template (notify/sms/http-sms.ts). */
export interface SmsHttpConfig {
  twilio?: { accountSid: string; authToken: string; from: string; baseUrl?: string };
  url?: string;
  auth?: HttpSmsAuth;
  format: 'form' | 'json';
  body?: Record<string, string>;
  idField?: string;
  timeoutMs: number;
}

export interface EmailConfig {
  host: string;
  port: number;
  secure: boolean;
  username?: string;
  password?: string;
  from: string;
  /** Accept self-signed certificates (a relay on the local network). */
  insecureTls: boolean;
}

/** A SIP trunk or registrar for voice calls (docs/centre.md, "Voice calls"). */
export interface VoiceConfig {
  server: string;
  port: number;
  transport: 'udp' | 'tcp';
  /** Domain of the SIP URIs (`sip:<number>@<domain>`); the server's name when null. */
  domain: string | null;
  username: string | null;
  password: string | null;
  /** The number the callee sees (From); the username when null. */
  callerId: string | null;
  displayName: string | null;
  /** REGISTER with the server (trunks that route by registration rather than by IP or credentials). */
  register: boolean;
  registerExpiresS: number;
  /** Local SIP port (0 = any). */
  localPort: number;
  /** Address written in Via, Contact and SDP behind NAT (the centre's public address); null = the local one. */
  publicAddress: string | null;
  rtpPortMin: number;
  rtpPortMax: number;
  ringTimeoutS: number;
  /** Wait for a key after each prompt. */
  keyTimeoutS: number;
  /** How often the prompt is said again when no key comes. */
  promptRepeats: number;
  /** Language for contacts without one (en, fr, nl, de, es, sv, nb). */
  defaultLanguage: VoiceLanguage;
  /** Calls at the same time (channels the trunk allows). */
  maxCalls: number;
  espeak: string;
  wordsPerMinute: number;
  /** Where rendered prompts are kept; `<dataDir>/voice-prompts` when null. */
  promptDir: string | null;
}

export interface WebhookConfig {
  /** HMAC-SHA256 key for the `x-vigil-signature` header, at least 16 characters. */
  secret: string;
  timeoutMs: number;
}

/** Several centre workers on one PostgreSQL (docs/scale.md); used when `store` is a postgres:// URL. */
export interface ClusterSettings {
  /** Buckets the devices are hashed into, leased by workers (fixed when the database is first used). */
  buckets: number;
  /** A worker's lease on a bucket lasts this long without renewal: a dead worker's share moves after it. */
  leaseTtlS: number;
  /** How often leases are renewed and the fair share rebalanced (at most half the ttl). */
  renewS: number;
}

/** Web Push to console users' browsers and phones (docs/centre.md "Alerts on phones"). */
export interface PushConfig {
  /** VAPID contact for the push services (RFC 8292 `sub`): `mailto:…` or `https://…`. */
  subject: string;
  /** The key pair; null = made at first start into `<dataDir>/vapid.json` (required with a PostgreSQL store: every worker must sign with the same key). */
  vapid: { publicKey: string; privateKey: string } | null;
  /** A second push when an alarm is still not acknowledged this long after it was raised (0 = none), minutes. */
  unacknowledgedAfterMin: number;
  /** Alarms of this priority or more urgent are pushed (1 duress … 5 low battery). */
  maxPriority: number;
  /** How long a push service keeps a push for a phone that is off, seconds. */
  ttlS: number;
  timeoutMs: number;
  /** Push services the centre sends to (host or parent domain); a subscription elsewhere is refused. */
  endpointHosts: string[];
}

/** Scheduled backups of the store (docs/centre.md "Backups"). */
export interface BackupConfig {
  /** Where backup files go (created if missing); default `<dataDir>/backups` — better another disk or machine. */
  dir: string | null;
  /** Hours between backups (from the newest file in `dir`, so restarts do not postpone them). */
  intervalH: number;
  /** Backup files kept; older ones of this centre are deleted after each successful backup. */
  keep: number;
  /** pg_dump / pg_restore of this version (a directory holding both); default the newest installed under /usr/lib/postgresql. */
  pgBinDir: string | null;
}

/** The web console (docs/console.md). */
export interface ConsoleConfig {
  /** Map tiles for the alarm page, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png` or a local tile server; null = no tiles: a grid with a scale. */
  tileUrl: string | null;
  /** Attribution the tile provider requires, shown on the map. */
  tileAttribution: string;
  tileMaxZoom: number;
}

export interface CentreConfig {
  dataDir: string;
  /**
   * Where the centre keeps its data: absent (SQLite in `dataDir`, one process), or
   * `postgres://user:password@host:port/database[?schema=name]` — PostgreSQL, shared by several
   * centre workers (each with its own config file and mqtt.clientId).
   */
  store?: string;
  cluster?: ClusterSettings;
  mqtt: { url: string | string[]; clientId: string; username?: string; password?: string };
  /** `tls`: serve HTTPS with this certificate chain and key (PEM files), docs/security.md. */
  http: { host: string; port: number; tls?: { certFile: string; keyFile: string } };
  sessions?: SessionsConfig;
  supervision?: SupervisionConfig;
  escalation?: EscalationConfig;
  /** `sms` (a GSM modem) or `smsHttp` (an HTTP provider) carries the ladder's SMS steps — one of the two. */
  notifiers?: { sms?: SmsConfig; smsHttp?: SmsHttpConfig; voice?: VoiceConfig; email?: EmailConfig; webhook?: WebhookConfig };
  telemetry?: { influx?: { url: string; database: string; username?: string; password?: string; flushMs: number } };
  /** Days each kind of record is kept (ops/retention.ts); null keeps alarms, sessions or audit entries for ever. */
  retention?: RetentionConfig;
  /** Scheduled backups (ops/backup/); absent: none (`vigil centre backup` still works). */
  backup?: BackupConfig;
  /** How often the registry is checked for changes made by other processes (`vigil device add`), seconds. */
  registryPollS?: number;
  console?: ConsoleConfig;
  /** Web Push to console users; off when absent. */
  push?: PushConfig;
}

/** The config with every default filled in (what the services receive). */
export type ResolvedCentreConfig = Required<Omit<CentreConfig, 'notifiers' | 'telemetry' | 'store' | 'push' | 'backup'>> & Pick<CentreConfig, 'notifiers' | 'telemetry' | 'store' | 'push' | 'backup'>;

const int = (minimum: number, maximum: number, dflt: number): JsonSchema => ({ type: 'integer', minimum, maximum, default: dflt });
const nstr = (dflt: null): JsonSchema => ({ type: ['string', 'null'], minLength: 1, default: dflt });
/** Days, or null: kept for ever. */
const keepable = (minimum: number, dflt: number): JsonSchema => ({ type: ['integer', 'null'], minimum, maximum: 36500, default: dflt });
/** A section that stays absent when not configured (its presence means "use this"). */
const nodefault = (schema: JsonSchema): JsonSchema => {
  const out: JsonSchema & { default?: unknown } = { ...schema };
  delete out.default;
  return out;
};
const section = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({ type: 'object', additionalProperties: false, required, properties, ...(required.length ? {} : { default: {} }) });

export const CENTRE_CONFIG_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataDir', 'mqtt', 'http'],
  properties: {
    dataDir: { type: 'string', minLength: 1 },
    store: { type: 'string', pattern: '^postgres(ql)?://' },
    cluster: section({ buckets: int(1, 4096, 64), leaseTtlS: int(3, 120, 6), renewS: int(1, 60, 2) }),
    mqtt: mqttClientSchema('vigil-centre'),
    http: section({
      host: { type: 'string', default: '127.0.0.1' }, port: int(0, 65535, 8080),
      tls: section({ certFile: { type: 'string', minLength: 1 }, keyFile: { type: 'string', minLength: 1 } }, ['certFile', 'keyFile']),
    }),
    sessions: section({ reminderBeforeMin: int(0, 240, 5), checkInGraceS: int(10, 3600, 120), protectionCheckInMin: int(0, 1440, 0), maxDurationH: int(1, 72, 24) }),
    supervision: section({
      heartbeatIntervalS: int(5, 3600, 60), silentAfterHeartbeats: int(2, 20, 3), gatewayMissedHeartbeats: int(2, 20, 3),
      lowBatteryPct: int(1, 90, 20), preAlarmTimeoutS: int(10, 600, 75),
    }),
    escalation: section({
      defaultLadderId: { type: ['string', 'null'], default: null },
      callListTimeoutS: int(1, 3600, 120),
      broadcastRepeatS: int(1, 3600, 120),
      publicUrl: { type: ['string', 'null'], pattern: '^https?://', default: null },
      responderTokenTtlH: int(1, 720, 24),
      notifierFailuresBeforeAlarm: int(1, 100, 3),
      maxAttempts: int(1, 20, 3),
      defaultLanguage: { enum: ['en', 'fr', 'nl', 'de', 'es', 'sv', 'nb'], default: 'en' },
    }),
    notifiers: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sms: section({ port: { type: 'string', minLength: 1 }, baudRate: int(1200, 921600, 115200), pin: { type: 'string', pattern: '^[0-9]{4,8}$' } }, ['port']),
        voice: section({
          server: { type: 'string', minLength: 1 }, port: int(1, 65535, 5060), transport: { enum: ['udp', 'tcp'], default: 'udp' },
          domain: nstr(null), username: nstr(null), password: nstr(null),
          callerId: { type: ['string', 'null'], pattern: '^\\+?[0-9A-Za-z._-]{1,32}$', default: null }, displayName: { type: ['string', 'null'], maxLength: 40, default: 'Vigil' },
          register: { type: 'boolean', default: false }, registerExpiresS: int(60, 86400, 600), localPort: int(0, 65535, 0), publicAddress: nstr(null),
          rtpPortMin: int(1024, 65534, 10000), rtpPortMax: int(1025, 65535, 10999), ringTimeoutS: int(5, 120, 30), keyTimeoutS: int(2, 30, 8),
          promptRepeats: int(0, 3, 1), defaultLanguage: { enum: [...VOICE_LANGUAGES], default: 'en' }, maxCalls: int(1, 100, 4),
          espeak: { type: 'string', minLength: 1, default: 'espeak-ng' }, wordsPerMinute: int(80, 300, 160), promptDir: nstr(null),
        }, ['server']),
        smsHttp: nodefault(section({
          twilio: section({
            accountSid: { type: 'string', pattern: '^AC[0-9a-fA-F]{32}$' }, authToken: { type: 'string', minLength: 16 },
            from: { type: 'string', pattern: '^(\\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32})$' }, baseUrl: { type: 'string', pattern: '^https?://' },
          }, ['accountSid', 'authToken', 'from']),
          url: { type: 'string', pattern: '^https?://' },
          auth: {
            type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 2,
            properties: {
              basic: section({ username: { type: 'string' }, password: { type: 'string' } }, ['username', 'password']),
              bearer: { type: 'string', minLength: 1 }, header: { type: 'string', pattern: '^[A-Za-z0-9-]+$' }, value: { type: 'string' },
            },
          },
          format: { type: 'string', enum: ['form', 'json'], default: 'form' },
          body: { type: 'object', additionalProperties: { type: 'string' } },
          idField: { type: 'string' },
          timeoutMs: int(100, 60000, 10000),
        })),
        email: section({
          host: { type: 'string', minLength: 1 }, port: int(1, 65535, 587), secure: { type: 'boolean', default: false },
          username: { type: 'string' }, password: { type: 'string' }, from: { type: 'string', minLength: 3 }, insecureTls: { type: 'boolean', default: false },
        }, ['host', 'from']),
        webhook: section({ secret: { type: 'string', minLength: 16 }, timeoutMs: int(100, 60000, 5000) }, ['secret']),
      },
    },
    telemetry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        influx: section({
          url: { type: 'string', pattern: '^https?://' }, database: { type: 'string', pattern: '^[A-Za-z0-9_]+$', default: 'vigil' },
          username: { type: 'string' }, password: { type: 'string' }, flushMs: int(100, 60000, 1000),
        }, ['url']),
      },
    },
    retention: section({
      positionsDays: int(1, 3650, 30), eventsDays: int(1, 3650, 90), attemptsDays: int(30, 3650, 400), telemetryDays: int(1, 3650, 30),
      alarmsDays: keepable(30, 730), sessionsDays: keepable(1, 90), auditDays: keepable(30, 730),
    }),
    backup: nodefault(section({ dir: nstr(null), intervalH: int(1, 720, 24), keep: int(1, 1000, 14), pgBinDir: nstr(null) })),
    registryPollS: int(1, 3600, 30),
    console: section({
      tileUrl: { type: ['string', 'null'], pattern: '^(https?:)?//.*\\{z\\}.*\\{x\\}.*\\{y\\}|^/.*\\{z\\}.*\\{x\\}.*\\{y\\}', default: null },
      tileAttribution: { type: 'string', maxLength: 300, default: '' },
      tileMaxZoom: int(1, 22, 19),
    }),
    push: section({
      subject: { type: 'string', pattern: '^(mailto:[^@\\s]+@[^@\\s]+|https://[^\\s]+)$' },
      vapid: { type: ['object', 'null'], additionalProperties: false, required: ['publicKey', 'privateKey'], properties: { publicKey: { type: 'string' }, privateKey: { type: 'string' } }, default: null },
      unacknowledgedAfterMin: int(0, 1440, 5),
      maxPriority: int(1, 5, 4),
      ttlS: int(0, 2_419_200, 3600),
      timeoutMs: int(500, 60000, 10000),
      endpointHosts: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9.-]+$' }, minItems: 1, default: DEFAULT_ENDPOINT_HOSTS },
    }, ['subject']),
  },
};

export function loadCentreConfig(file: string): ResolvedCentreConfig {
  const raw = readConfigFile(file);
  return crossCheck(validateConfig<ResolvedCentreConfig>(CENTRE_CONFIG_SCHEMA, raw, file), file);
}

/** Fills the defaults into a config built in code (tests, singlebox), validating it like a file. */
export function resolveCentreConfig(config: CentreConfig, source = 'centre config'): ResolvedCentreConfig {
  return crossCheck(validateConfig<ResolvedCentreConfig>(CENTRE_CONFIG_SCHEMA, structuredClone(config), source), source);
}

/** What one field's schema cannot say. */
function crossCheck(c: ResolvedCentreConfig, source: string): ResolvedCentreConfig {
  const errors: string[] = [];
  for (const f of ['certFile', 'keyFile'] as const) {
    const file = c.http.tls?.[f];
    if (file !== undefined && !existsSync(file)) errors.push(`http.tls.${f}: ${file} does not exist`);
  }
  if (c.cluster.renewS * 2 > c.cluster.leaseTtlS) errors.push('cluster.renewS: must be at most half of cluster.leaseTtlS (a lease must survive one late renewal)');
  const v = c.notifiers?.voice;
  if (v) {
    if (v.rtpPortMin >= v.rtpPortMax) errors.push('notifiers.voice.rtpPortMax: must be above rtpPortMin');
    if ((v.username === null) !== (v.password === null)) errors.push('notifiers.voice.password: username and password go together');
    if (v.register && v.username === null) errors.push('notifiers.voice.register: needs username and password');
  }
  const http = c.notifiers?.smsHttp;
  if (c.notifiers?.sms && http) errors.push('notifiers.smsHttp: one SMS channel only — a GSM modem (notifiers.sms) or an HTTP provider (notifiers.smsHttp)');
  if (http && !http.twilio === !http.url) errors.push('notifiers.smsHttp: give either twilio (the preset) or url with body');
  if (http?.url && !http.body) errors.push('notifiers.smsHttp.body: required with url (the fields to send, with {{to}} and {{text}})');
  if (http?.auth && !('basic' in http.auth || 'bearer' in http.auth || ('header' in http.auth && 'value' in http.auth))) errors.push('notifiers.smsHttp.auth: basic, bearer, or header with value');
  if (c.push?.vapid) errors.push(...vapidProblems(c.push.vapid, 'push.vapid'));
  if (c.push && !c.push.vapid && c.store) errors.push('push.vapid: is required with a PostgreSQL store (every centre worker must sign pushes with the same key; `npx vigil centre push-keys` makes a pair)');
  if (errors.length) throw new ConfigError(source, errors);
  return c;
}
