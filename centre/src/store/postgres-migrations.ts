/**
 * PostgreSQL schema, as ordered migrations (the same tables as sqlite-migrations.ts, in PostgreSQL
 * types: epoch milliseconds as BIGINT, JSON as JSONB), plus the cluster's tables: node membership,
 * bucket leases with fencing tokens, and the overflow of live events too large for NOTIFY.
 * `schema_version` records the last one applied; workers starting together migrate under an advisory
 * lock, one after the other.
 */
export const PG_MIGRATIONS: string[] = [
  `CREATE FUNCTION vigil_now_ms() RETURNS BIGINT LANGUAGE sql VOLATILE AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT $$;
   CREATE FUNCTION vigil_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;

   CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
   INSERT INTO meta (key, value) VALUES ('registry_version', 1);
   CREATE FUNCTION vigil_registry_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; RETURN NULL; END $$;

   CREATE TABLE sites (id TEXT PRIMARY KEY, name TEXT NOT NULL, ladder_id TEXT);
   CREATE TABLE workers (id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, site_id TEXT REFERENCES sites(id), ladder_id TEXT);
   CREATE TABLE devices (
     id TEXT PRIMARY KEY, key TEXT NOT NULL, board TEXT NOT NULL, worker_id TEXT REFERENCES workers(id), site_id TEXT REFERENCES sites(id),
     created_at BIGINT NOT NULL, last_counter BIGINT NOT NULL DEFAULT -1, last_seen_at BIGINT, battery_pct INTEGER,
     -- events older than the retention are purged; their counters stay refused (a replayed old frame is not new)
     purged_counter BIGINT NOT NULL DEFAULT -1);
   CREATE INDEX devices_worker ON devices(worker_id);
   CREATE INDEX devices_site ON devices(site_id);
   -- Idempotent ingest: one row per device + counter, whichever worker or gateway stored it first.
   CREATE TABLE events (
     device_id TEXT NOT NULL, counter BIGINT NOT NULL, type TEXT NOT NULL, received_at BIGINT NOT NULL, gateway_id TEXT NOT NULL, site_id TEXT NOT NULL,
     rssi_dbm INTEGER, battery_pct INTEGER, position JSONB, detail INTEGER NOT NULL, ref BIGINT NOT NULL, handled BOOLEAN NOT NULL DEFAULT true,
     PRIMARY KEY (device_id, counter));
   CREATE INDEX events_received ON events(received_at);
   CREATE INDEX events_unhandled ON events(received_at) WHERE NOT handled;

   CREATE SEQUENCE alarm_numbers START 1001;
   CREATE TABLE alarms (
     id TEXT PRIMARY KEY, number BIGINT NOT NULL UNIQUE, type TEXT NOT NULL, state TEXT NOT NULL, priority INTEGER NOT NULL,
     site_id TEXT, device_id TEXT, worker_id TEXT, incident_ref BIGINT, last_counter BIGINT, position JSONB, position_at BIGINT,
     created_at BIGINT NOT NULL, raised_at BIGINT, updated_at BIGINT NOT NULL, acknowledged_at BIGINT, acknowledged_by TEXT,
     resolved_at BIGINT, resolved_by TEXT, resolution TEXT, comment TEXT, subject TEXT, text TEXT, session_id TEXT);
   CREATE INDEX alarms_open ON alarms(state, device_id);
   CREATE INDEX alarms_subject ON alarms(subject, type, state);
   CREATE INDEX alarms_site_state ON alarms(site_id, state, type);
   -- One incident, one alarm, whichever worker raises it: the merge rule as a constraint.
   CREATE UNIQUE INDEX alarms_one_open ON alarms(subject, type) WHERE state IN ('pending', 'raised', 'acknowledged');

   CREATE TABLE audit (
     seq BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, data JSONB);
   CREATE INDEX audit_entity ON audit(entity, entity_id, seq);
   CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION vigil_append_only();

   CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL);
   CREATE TABLE auth_sessions (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
   CREATE TABLE stream_tickets (ticket_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at BIGINT NOT NULL);

   CREATE TABLE registry (kind TEXT NOT NULL, id TEXT NOT NULL, site_id TEXT, data JSONB NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (kind, id));
   CREATE INDEX registry_site ON registry(kind, site_id);
   -- What gateways' keyrings and the workers' caches depend on bumps the version; gateway liveness rows do not.
   CREATE TRIGGER registry_v_write AFTER INSERT OR UPDATE ON registry FOR EACH ROW WHEN (NEW.kind <> 'gateway') EXECUTE FUNCTION vigil_registry_bump();
   CREATE TRIGGER registry_v_delete AFTER DELETE ON registry FOR EACH ROW WHEN (OLD.kind <> 'gateway') EXECUTE FUNCTION vigil_registry_bump();
   CREATE TRIGGER devices_v AFTER INSERT OR DELETE ON devices FOR EACH STATEMENT EXECUTE FUNCTION vigil_registry_bump();
   CREATE TRIGGER devices_v_upd AFTER UPDATE OF key, board, site_id, worker_id ON devices FOR EACH STATEMENT EXECUTE FUNCTION vigil_registry_bump();
   CREATE TRIGGER sites_v AFTER INSERT OR UPDATE OR DELETE ON sites FOR EACH STATEMENT EXECUTE FUNCTION vigil_registry_bump();
   CREATE TRIGGER workers_v AFTER INSERT OR UPDATE OR DELETE ON workers FOR EACH STATEMENT EXECUTE FUNCTION vigil_registry_bump();

   CREATE TABLE work_sessions (
     id TEXT PRIMARY KEY, owner TEXT NOT NULL, worker_id TEXT, device_id TEXT, site_id TEXT, kind TEXT NOT NULL, state TEXT NOT NULL,
     started_at BIGINT NOT NULL, started_by TEXT NOT NULL, planned_end_at BIGINT, reminder_before_s INTEGER NOT NULL, reminder_sent_at BIGINT,
     check_in_interval_s INTEGER, check_in_grace_s INTEGER NOT NULL, next_check_in_at BIGINT, check_in_prompted_at BIGINT, last_check_in_at BIGINT,
     note TEXT, phone TEXT, call_list JSONB NOT NULL, ended_at BIGINT, ended_by TEXT, updated_at BIGINT NOT NULL);
   CREATE UNIQUE INDEX work_sessions_active ON work_sessions(owner) WHERE state = 'active';
   CREATE INDEX work_sessions_state ON work_sessions(state);
   CREATE INDEX work_sessions_worker ON work_sessions(worker_id, started_at);

   CREATE TABLE escalations (
     id TEXT PRIMARY KEY, alarm_id TEXT NOT NULL UNIQUE, site_id TEXT, state TEXT NOT NULL, phase TEXT NOT NULL, steps JSONB NOT NULL,
     broadcast JSONB NOT NULL, step INTEGER NOT NULL, round INTEGER NOT NULL, repeat BOOLEAN NOT NULL, next_at BIGINT, version BIGINT NOT NULL,
     started_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, ended_at BIGINT, end_reason TEXT, partition_key TEXT);
   CREATE INDEX escalations_state ON escalations(state);

   CREATE TABLE outbox (
     id TEXT PRIMARY KEY, alarm_id TEXT, alarm_number TEXT, escalation_id TEXT, step INTEGER, target_key TEXT, channel TEXT NOT NULL, recipient TEXT NOT NULL,
     contact_id TEXT, contact_name TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, link TEXT, data JSONB, priority INTEGER NOT NULL,
     state TEXT NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL, next_attempt_at BIGINT NOT NULL,
     claimed_by TEXT, claimed_until BIGINT, created_at BIGINT NOT NULL, sent_at BIGINT, detail TEXT, seq BIGSERIAL);
   CREATE INDEX outbox_due ON outbox(priority, next_attempt_at) WHERE state = 'pending';
   CREATE INDEX outbox_sending ON outbox(claimed_until) WHERE state = 'sending';
   CREATE INDEX outbox_alarm ON outbox(alarm_id, created_at);
   CREATE INDEX outbox_escalation ON outbox(escalation_id, state);
   CREATE INDEX outbox_reply ON outbox(channel, recipient, created_at);

   CREATE TABLE attempts (
     seq BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, notification_id TEXT, alarm_id TEXT, channel TEXT NOT NULL,
     recipient TEXT NOT NULL, contact_name TEXT NOT NULL, status TEXT NOT NULL, detail TEXT);
   CREATE INDEX attempts_alarm ON attempts(alarm_id, seq);
   CREATE INDEX attempts_at ON attempts(at);
   CREATE TRIGGER attempts_append_only BEFORE UPDATE ON attempts FOR EACH ROW EXECUTE FUNCTION vigil_append_only();

   CREATE TABLE responder_tokens (
     token_hash TEXT PRIMARY KEY, alarm_id TEXT NOT NULL, target_key TEXT NOT NULL, contact_name TEXT NOT NULL, channel TEXT NOT NULL,
     address TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT);
   CREATE INDEX responder_tokens_alarm ON responder_tokens(alarm_id);
   CREATE TABLE secrets (name TEXT PRIMARY KEY, value BYTEA NOT NULL);

   CREATE TABLE positions (
     device_id TEXT NOT NULL, worker_id TEXT, at BIGINT NOT NULL, kind TEXT NOT NULL, lat DOUBLE PRECISION, lon DOUBLE PRECISION,
     beacon_id TEXT, zone_id TEXT, rssi_dbm INTEGER);
   CREATE INDEX positions_device ON positions(device_id, at);
   CREATE INDEX positions_at ON positions(at);

   -- The cluster (centre/src/cluster/): workers alive, who holds which bucket of devices and with which
   -- fencing token, and live events too large for a NOTIFY payload.
   CREATE TABLE cluster_nodes (
     id TEXT PRIMARY KEY, client_id TEXT NOT NULL, http_url TEXT, channels TEXT NOT NULL, started_at BIGINT NOT NULL, seen_at BIGINT NOT NULL, stopped_at BIGINT);
   CREATE TABLE cluster_leases (bucket INTEGER PRIMARY KEY, holder TEXT, token BIGINT NOT NULL DEFAULT 0, expires_at BIGINT NOT NULL DEFAULT 0, acquired_at BIGINT);
   CREATE TABLE live_overflow (seq BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, payload TEXT NOT NULL);`,
  // 2: issue 11 — the worker app: worker logins (not console users), pairing codes, phone logins, idempotency keys.
  `CREATE TABLE worker_credentials (
     worker_id TEXT PRIMARY KEY REFERENCES workers(id) ON DELETE CASCADE, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
     created_at BIGINT NOT NULL, created_by TEXT NOT NULL);
   CREATE TABLE worker_logins (
     token_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE, via TEXT NOT NULL,
     created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
   CREATE INDEX worker_logins_worker ON worker_logins(worker_id);
   CREATE TABLE pairing_codes (
     code_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE, created_at BIGINT NOT NULL,
     created_by TEXT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT);
   CREATE TABLE app_actions (
     key TEXT PRIMARY KEY, worker_id TEXT NOT NULL, action TEXT NOT NULL, at BIGINT NOT NULL, device_id TEXT, counter BIGINT,
     status INTEGER, response JSONB);
   CREATE INDEX app_actions_at ON app_actions(at);`,
  // 3: issue 8 — the console: users' scopes (a supervisor's sites and teams), teams of workers, site floor plans, history indexes.
  `ALTER TABLE users ADD COLUMN scope JSONB;
   ALTER TABLE workers ADD COLUMN team_id TEXT;
   CREATE INDEX workers_team ON workers(team_id);
   CREATE TABLE floor_plans (
     site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE, floor TEXT NOT NULL, content_type TEXT NOT NULL,
     width_m DOUBLE PRECISION NOT NULL, height_m DOUBLE PRECISION NOT NULL, image BYTEA NOT NULL, updated_at BIGINT NOT NULL, updated_by TEXT NOT NULL,
     PRIMARY KEY (site_id, floor));
   CREATE INDEX alarms_created ON alarms(created_at);
   CREATE INDEX alarms_worker_created ON alarms(worker_id, created_at);`,
  // 4: issue 20 — every message in the recipient's language: the worker's language, the site's time zone.
  `ALTER TABLE workers ADD COLUMN language TEXT;
   ALTER TABLE sites ADD COLUMN time_zone TEXT;`,
];
