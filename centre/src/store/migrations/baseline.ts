/**
 * The schema every store starts from, in one text for both engines: column types that differ are
 * named by what they hold (`${t.ms}` epoch milliseconds, `${t.json}`, `${t.flag}`, `${t.bytes}`,
 * `${t.real}`, `${t.serial}`), and what only one engine has is in its own block below — triggers (the
 * registry version, append-only tables), PostgreSQL's clock function, alarm-number sequence and the
 * cluster's tables, and each engine's partial indexes. It is the schema the two hand-written engines
 * had reached (SQLite `schema_version` 5, PostgreSQL 3); databases they created are adopted as they
 * are (migrations/index.ts).
 */
import type { Dialect } from '../engine';

interface Types {
  ms: string;
  json: string;
  flag: string;
  true: string;
  bytes: string;
  real: string;
  serial: string;
}

const TYPES: Record<Dialect, Types> = {
  sqlite: { ms: 'INTEGER', json: 'TEXT', flag: 'INTEGER', true: '1', bytes: 'BLOB', real: 'REAL', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT' },
  postgres: { ms: 'BIGINT', json: 'JSONB', flag: 'BOOLEAN', true: 'true', bytes: 'BYTEA', real: 'DOUBLE PRECISION', serial: 'BIGSERIAL PRIMARY KEY' },
};

const common = (t: Types): string => `
CREATE TABLE meta (key TEXT PRIMARY KEY, value ${t.ms} NOT NULL);
INSERT INTO meta (key, value) VALUES ('registry_version', 1);
CREATE TABLE sites (id TEXT PRIMARY KEY, name TEXT NOT NULL, ladder_id TEXT);
CREATE TABLE workers (id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, site_id TEXT REFERENCES sites(id), ladder_id TEXT, team_id TEXT);
CREATE INDEX workers_team ON workers(team_id);
CREATE TABLE devices (
  id TEXT PRIMARY KEY, key TEXT NOT NULL, board TEXT NOT NULL, worker_id TEXT REFERENCES workers(id), site_id TEXT REFERENCES sites(id),
  created_at ${t.ms} NOT NULL, last_counter ${t.ms} NOT NULL DEFAULT -1, last_seen_at ${t.ms}, battery_pct INTEGER,
  -- events older than the retention are purged; their counters stay refused (a replayed old frame is not new)
  purged_counter ${t.ms} NOT NULL DEFAULT -1);
CREATE INDEX devices_worker ON devices(worker_id);
-- Idempotent ingest: one row per device + counter, whichever worker or gateway stored it first.
CREATE TABLE events (
  device_id TEXT NOT NULL, counter ${t.ms} NOT NULL, type TEXT NOT NULL, received_at ${t.ms} NOT NULL, gateway_id TEXT NOT NULL, site_id TEXT NOT NULL,
  rssi_dbm INTEGER, battery_pct INTEGER, position ${t.json}, detail INTEGER NOT NULL, ref ${t.ms} NOT NULL, handled ${t.flag} NOT NULL DEFAULT ${t.true},
  PRIMARY KEY (device_id, counter));
CREATE INDEX events_received ON events(received_at);
CREATE TABLE alarms (
  id TEXT PRIMARY KEY, number ${t.ms} NOT NULL UNIQUE, type TEXT NOT NULL, state TEXT NOT NULL, priority INTEGER NOT NULL,
  site_id TEXT, device_id TEXT, worker_id TEXT, incident_ref ${t.ms}, last_counter ${t.ms}, position ${t.json}, position_at ${t.ms},
  created_at ${t.ms} NOT NULL, raised_at ${t.ms}, updated_at ${t.ms} NOT NULL, acknowledged_at ${t.ms}, acknowledged_by TEXT,
  resolved_at ${t.ms}, resolved_by TEXT, resolution TEXT, comment TEXT, subject TEXT, text TEXT, session_id TEXT);
CREATE INDEX alarms_open ON alarms(state, device_id);
CREATE INDEX alarms_subject ON alarms(subject, type, state);
CREATE INDEX alarms_site_state ON alarms(site_id, state, type);
CREATE INDEX alarms_created ON alarms(created_at);
CREATE INDEX alarms_worker_created ON alarms(worker_id, created_at);
-- One incident, one alarm, whichever worker raises it: the merge rule as a constraint.
CREATE UNIQUE INDEX alarms_one_open ON alarms(subject, type) WHERE state IN ('pending', 'raised', 'acknowledged');
CREATE TABLE audit (seq ${t.serial}, at ${t.ms} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, data ${t.json});
CREATE INDEX audit_entity ON audit(entity, entity_id, seq);
CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL, scope ${t.json});
CREATE TABLE auth_sessions (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), created_at ${t.ms} NOT NULL, expires_at ${t.ms} NOT NULL);
CREATE TABLE stream_tickets (ticket_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at ${t.ms} NOT NULL);
CREATE TABLE registry (kind TEXT NOT NULL, id TEXT NOT NULL, site_id TEXT, data ${t.json} NOT NULL, updated_at ${t.ms} NOT NULL, PRIMARY KEY (kind, id));
CREATE INDEX registry_site ON registry(kind, site_id);
CREATE TABLE work_sessions (
  id TEXT PRIMARY KEY, owner TEXT NOT NULL, worker_id TEXT, device_id TEXT, site_id TEXT, kind TEXT NOT NULL, state TEXT NOT NULL,
  started_at ${t.ms} NOT NULL, started_by TEXT NOT NULL, planned_end_at ${t.ms}, reminder_before_s INTEGER NOT NULL, reminder_sent_at ${t.ms},
  check_in_interval_s INTEGER, check_in_grace_s INTEGER NOT NULL, next_check_in_at ${t.ms}, check_in_prompted_at ${t.ms}, last_check_in_at ${t.ms},
  note TEXT, phone TEXT, call_list ${t.json} NOT NULL, ended_at ${t.ms}, ended_by TEXT, updated_at ${t.ms} NOT NULL);
CREATE UNIQUE INDEX work_sessions_active ON work_sessions(owner) WHERE state = 'active';
CREATE INDEX work_sessions_state ON work_sessions(state);
CREATE INDEX work_sessions_worker ON work_sessions(worker_id, started_at);
CREATE TABLE escalations (
  id TEXT PRIMARY KEY, alarm_id TEXT NOT NULL UNIQUE, site_id TEXT, state TEXT NOT NULL, phase TEXT NOT NULL, steps ${t.json} NOT NULL,
  broadcast ${t.json} NOT NULL, step INTEGER NOT NULL, round INTEGER NOT NULL, repeat ${t.flag} NOT NULL, next_at ${t.ms}, version ${t.ms} NOT NULL,
  started_at ${t.ms} NOT NULL, updated_at ${t.ms} NOT NULL, ended_at ${t.ms}, end_reason TEXT, partition_key TEXT);
CREATE INDEX escalations_state ON escalations(state);
CREATE TABLE attempts (
  seq ${t.serial}, at ${t.ms} NOT NULL, notification_id TEXT, alarm_id TEXT, channel TEXT NOT NULL,
  recipient TEXT NOT NULL, contact_name TEXT NOT NULL, status TEXT NOT NULL, detail TEXT);
CREATE INDEX attempts_alarm ON attempts(alarm_id, seq);
CREATE INDEX attempts_at ON attempts(at);
CREATE TABLE responder_tokens (
  token_hash TEXT PRIMARY KEY, alarm_id TEXT NOT NULL, target_key TEXT NOT NULL, contact_name TEXT NOT NULL, channel TEXT NOT NULL,
  address TEXT NOT NULL, created_at ${t.ms} NOT NULL, expires_at ${t.ms} NOT NULL, revoked_at ${t.ms});
CREATE INDEX responder_tokens_alarm ON responder_tokens(alarm_id);
CREATE TABLE secrets (name TEXT PRIMARY KEY, value ${t.bytes} NOT NULL);
CREATE TABLE positions (
  device_id TEXT NOT NULL, worker_id TEXT, at ${t.ms} NOT NULL, kind TEXT NOT NULL, lat ${t.real}, lon ${t.real}, beacon_id TEXT, zone_id TEXT, rssi_dbm INTEGER);
CREATE INDEX positions_device ON positions(device_id, at);
CREATE INDEX positions_at ON positions(at);
CREATE TABLE worker_credentials (
  worker_id TEXT PRIMARY KEY REFERENCES workers(id) ON DELETE CASCADE, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
  created_at ${t.ms} NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE worker_logins (
  token_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE, via TEXT NOT NULL,
  created_at ${t.ms} NOT NULL, expires_at ${t.ms} NOT NULL);
CREATE INDEX worker_logins_worker ON worker_logins(worker_id);
CREATE TABLE pairing_codes (
  code_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE, created_at ${t.ms} NOT NULL,
  created_by TEXT NOT NULL, expires_at ${t.ms} NOT NULL, used_at ${t.ms});
CREATE TABLE app_actions (
  key TEXT PRIMARY KEY, worker_id TEXT NOT NULL, action TEXT NOT NULL, at ${t.ms} NOT NULL, device_id TEXT, counter ${t.ms},
  status INTEGER, response ${t.json});
CREATE INDEX app_actions_at ON app_actions(at);
CREATE TABLE floor_plans (
  site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE, floor TEXT NOT NULL, content_type TEXT NOT NULL,
  width_m ${t.real} NOT NULL, height_m ${t.real} NOT NULL, image ${t.bytes} NOT NULL, updated_at ${t.ms} NOT NULL, updated_by TEXT NOT NULL,
  PRIMARY KEY (site_id, floor));`;

/** The outbox: on PostgreSQL a `seq` keeps the order of insertion (SQLite has its rowid). */
const OUTBOX = (t: Types, seq: string): string => `
CREATE TABLE outbox (
  id TEXT PRIMARY KEY, alarm_id TEXT, alarm_number TEXT, escalation_id TEXT, step INTEGER, target_key TEXT, channel TEXT NOT NULL, recipient TEXT NOT NULL,
  contact_id TEXT, contact_name TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, link TEXT, data ${t.json}, priority INTEGER NOT NULL,
  state TEXT NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL, next_attempt_at ${t.ms} NOT NULL,
  claimed_by TEXT, claimed_until ${t.ms}, created_at ${t.ms} NOT NULL, sent_at ${t.ms}, detail TEXT${seq});
CREATE INDEX outbox_alarm ON outbox(alarm_id, created_at);
CREATE INDEX outbox_escalation ON outbox(escalation_id, state);
CREATE INDEX outbox_reply ON outbox(channel, recipient, created_at);`;

// Any process (the running centre, `vigil device add`) changing what gateways' keyrings or the caches
// depend on bumps the registry version; gateway liveness rows change every heartbeat and do not.
const bump = "UPDATE meta SET value = value + 1 WHERE key = 'registry_version';";

const SQLITE_ONLY = `
CREATE INDEX events_unhandled ON events(handled) WHERE handled = 0;
CREATE INDEX outbox_due ON outbox(state, priority, next_attempt_at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER attempts_no_update BEFORE UPDATE ON attempts BEGIN SELECT RAISE(ABORT, 'attempts are append-only'); END;
CREATE TRIGGER registry_v_ins AFTER INSERT ON registry WHEN NEW.kind <> 'gateway' BEGIN ${bump} END;
CREATE TRIGGER registry_v_upd AFTER UPDATE ON registry WHEN NEW.kind <> 'gateway' BEGIN ${bump} END;
CREATE TRIGGER registry_v_del AFTER DELETE ON registry WHEN OLD.kind <> 'gateway' BEGIN ${bump} END;
CREATE TRIGGER devices_v_ins AFTER INSERT ON devices BEGIN ${bump} END;
CREATE TRIGGER devices_v_upd AFTER UPDATE OF key, board, site_id, worker_id ON devices BEGIN ${bump} END;
CREATE TRIGGER devices_v_del AFTER DELETE ON devices BEGIN ${bump} END;
${['sites', 'workers'].flatMap((t) => ['INSERT', 'UPDATE', 'DELETE'].map((op) => `CREATE TRIGGER ${t}_v_${op.slice(0, 3).toLowerCase()} AFTER ${op} ON ${t} BEGIN ${bump} END;`)).join('\n')}`;

const POSTGRES_ONLY = `
CREATE FUNCTION vigil_now_ms() RETURNS BIGINT LANGUAGE sql VOLATILE AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT $$;
CREATE FUNCTION vigil_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE FUNCTION vigil_registry_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${bump} RETURN NULL; END $$;
CREATE SEQUENCE alarm_numbers START 1001;
CREATE INDEX devices_site ON devices(site_id);
CREATE INDEX events_unhandled ON events(received_at) WHERE NOT handled;
CREATE INDEX outbox_due ON outbox(priority, next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox(claimed_until) WHERE state = 'sending';
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION vigil_append_only();
CREATE TRIGGER attempts_append_only BEFORE UPDATE ON attempts FOR EACH ROW EXECUTE FUNCTION vigil_append_only();
CREATE TRIGGER registry_v_write AFTER INSERT OR UPDATE ON registry FOR EACH ROW WHEN (NEW.kind <> 'gateway') EXECUTE FUNCTION vigil_registry_bump();
CREATE TRIGGER registry_v_delete AFTER DELETE ON registry FOR EACH ROW WHEN (OLD.kind <> 'gateway') EXECUTE FUNCTION vigil_registry_bump();
CREATE TRIGGER devices_v AFTER INSERT OR DELETE ON devices FOR EACH STATEMENT EXECUTE FUNCTION vigil_registry_bump();
CREATE TRIGGER devices_v_upd AFTER UPDATE OF key, board, site_id, worker_id ON devices FOR EACH STATEMENT EXECUTE FUNCTION vigil_registry_bump();
CREATE TRIGGER sites_v AFTER INSERT OR UPDATE OR DELETE ON sites FOR EACH STATEMENT EXECUTE FUNCTION vigil_registry_bump();
CREATE TRIGGER workers_v AFTER INSERT OR UPDATE OR DELETE ON workers FOR EACH STATEMENT EXECUTE FUNCTION vigil_registry_bump();
-- The cluster (centre/src/cluster/): workers alive, who holds which bucket of devices and with which
-- fencing token, and live events too large for a NOTIFY payload.
CREATE TABLE cluster_nodes (
  id TEXT PRIMARY KEY, client_id TEXT NOT NULL, http_url TEXT, channels TEXT NOT NULL, started_at BIGINT NOT NULL, seen_at BIGINT NOT NULL, stopped_at BIGINT);
CREATE TABLE cluster_leases (bucket INTEGER PRIMARY KEY, holder TEXT, token BIGINT NOT NULL DEFAULT 0, expires_at BIGINT NOT NULL DEFAULT 0, acquired_at BIGINT);
CREATE TABLE live_overflow (seq BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, payload TEXT NOT NULL);`;

/** The baseline's statements for one engine, in order. */
export function baseline(dialect: Dialect): string[] {
  const t = TYPES[dialect];
  const text = dialect === 'postgres' ? common(t) + OUTBOX(t, ', seq BIGSERIAL') + POSTGRES_ONLY : common(t) + OUTBOX(t, '') + SQLITE_ONLY;
  return statements(text);
}

/** Splits SQL text at a `;` that ends a line (a trigger's body stays on its line). */
export function statements(text: string): string[] {
  return text.split(/;[ \t]*$/m).map((s) => s.replace(/^\s*--.*$/gm, '').trim()).filter((s) => s.length > 0);
}
