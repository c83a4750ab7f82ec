/** SQLite schema, as ordered migrations; `schema_version` records the last one applied. */
export const SQLITE_MIGRATIONS: string[] = [
  `CREATE TABLE sites (id TEXT PRIMARY KEY, name TEXT NOT NULL);
   CREATE TABLE workers (id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, site_id TEXT REFERENCES sites(id));
   CREATE TABLE devices (
     id TEXT PRIMARY KEY, key TEXT NOT NULL, board TEXT NOT NULL,
     worker_id TEXT REFERENCES workers(id), site_id TEXT REFERENCES sites(id),
     created_at INTEGER NOT NULL, last_counter INTEGER NOT NULL DEFAULT -1,
     last_seen_at INTEGER, battery_pct INTEGER);
   CREATE TABLE events (
     device_id TEXT NOT NULL, counter INTEGER NOT NULL, type TEXT NOT NULL, received_at INTEGER NOT NULL,
     gateway_id TEXT NOT NULL, site_id TEXT NOT NULL, rssi_dbm INTEGER, battery_pct INTEGER,
     position TEXT, detail INTEGER NOT NULL, ref INTEGER NOT NULL,
     PRIMARY KEY (device_id, counter));
   CREATE INDEX events_received ON events(received_at);
   CREATE TABLE alarms (
     id TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE, type TEXT NOT NULL, state TEXT NOT NULL,
     priority INTEGER NOT NULL, site_id TEXT, device_id TEXT, worker_id TEXT,
     incident_ref INTEGER, last_counter INTEGER, position TEXT, position_at INTEGER,
     created_at INTEGER NOT NULL, raised_at INTEGER, updated_at INTEGER NOT NULL,
     acknowledged_at INTEGER, acknowledged_by TEXT, resolved_at INTEGER, resolved_by TEXT,
     resolution TEXT, comment TEXT);
   CREATE INDEX alarms_open ON alarms(state, device_id);
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
     entity TEXT NOT NULL, entity_id TEXT NOT NULL, data TEXT);
   CREATE INDEX audit_entity ON audit(entity, entity_id, seq);
   CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
   CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
   CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL);
   CREATE TABLE auth_sessions (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);`,
  // 2: issue 7 — registry records, sessions, escalations, outbox, attempts, tokens, positions.
  `ALTER TABLE sites ADD COLUMN ladder_id TEXT;
   ALTER TABLE workers ADD COLUMN ladder_id TEXT;
   ALTER TABLE alarms ADD COLUMN subject TEXT;
   ALTER TABLE alarms ADD COLUMN text TEXT;
   ALTER TABLE alarms ADD COLUMN session_id TEXT;
   UPDATE alarms SET subject = 'device:' || device_id WHERE subject IS NULL AND device_id IS NOT NULL;
   CREATE INDEX alarms_subject ON alarms(subject, type, state);
   CREATE INDEX alarms_site_state ON alarms(site_id, state, type);
   CREATE INDEX devices_worker ON devices(worker_id);
   -- Events older than the retention are purged; their counters stay refused (a replayed old frame is not new).
   ALTER TABLE devices ADD COLUMN purged_counter INTEGER NOT NULL DEFAULT -1;
   ALTER TABLE events ADD COLUMN handled INTEGER NOT NULL DEFAULT 1;
   CREATE INDEX events_unhandled ON events(handled) WHERE handled = 0;

   CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
   INSERT INTO meta (key, value) VALUES ('registry_version', 1);
   CREATE TABLE registry (kind TEXT NOT NULL, id TEXT NOT NULL, site_id TEXT, data TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (kind, id));
   CREATE INDEX registry_site ON registry(kind, site_id);
   -- Any process (the running centre, \`vigil device add\`) changing what gateways or caches depend on bumps the version.
   -- Gateway liveness rows change every heartbeat and affect neither, so they do not.
   CREATE TRIGGER registry_v_ins AFTER INSERT ON registry WHEN NEW.kind <> 'gateway' BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER registry_v_upd AFTER UPDATE ON registry WHEN NEW.kind <> 'gateway' BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER registry_v_del AFTER DELETE ON registry WHEN OLD.kind <> 'gateway' BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER devices_v_ins AFTER INSERT ON devices BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER devices_v_upd AFTER UPDATE OF key, board, site_id, worker_id ON devices BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER devices_v_del AFTER DELETE ON devices BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER sites_v_ins AFTER INSERT ON sites BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER sites_v_upd AFTER UPDATE ON sites BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER sites_v_del AFTER DELETE ON sites BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER workers_v_ins AFTER INSERT ON workers BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER workers_v_upd AFTER UPDATE ON workers BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;
   CREATE TRIGGER workers_v_del AFTER DELETE ON workers BEGIN UPDATE meta SET value = value + 1 WHERE key = 'registry_version'; END;

   CREATE TABLE work_sessions (
     id TEXT PRIMARY KEY, owner TEXT NOT NULL, worker_id TEXT, device_id TEXT, site_id TEXT, kind TEXT NOT NULL, state TEXT NOT NULL,
     started_at INTEGER NOT NULL, started_by TEXT NOT NULL, planned_end_at INTEGER, reminder_before_s INTEGER NOT NULL, reminder_sent_at INTEGER,
     check_in_interval_s INTEGER, check_in_grace_s INTEGER NOT NULL, next_check_in_at INTEGER, check_in_prompted_at INTEGER, last_check_in_at INTEGER,
     note TEXT, phone TEXT, call_list TEXT NOT NULL, ended_at INTEGER, ended_by TEXT, updated_at INTEGER NOT NULL);
   CREATE UNIQUE INDEX work_sessions_active ON work_sessions(owner) WHERE state = 'active';
   CREATE INDEX work_sessions_state ON work_sessions(state);
   CREATE INDEX work_sessions_worker ON work_sessions(worker_id, started_at);

   CREATE TABLE escalations (
     id TEXT PRIMARY KEY, alarm_id TEXT NOT NULL UNIQUE, site_id TEXT, state TEXT NOT NULL, phase TEXT NOT NULL, steps TEXT NOT NULL,
     broadcast TEXT NOT NULL, step INTEGER NOT NULL, round INTEGER NOT NULL, repeat INTEGER NOT NULL, next_at INTEGER, version INTEGER NOT NULL,
     started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ended_at INTEGER, end_reason TEXT);
   CREATE INDEX escalations_state ON escalations(state);

   CREATE TABLE outbox (
     id TEXT PRIMARY KEY, alarm_id TEXT, alarm_number TEXT, escalation_id TEXT, step INTEGER, target_key TEXT, channel TEXT NOT NULL, recipient TEXT NOT NULL,
     contact_id TEXT, contact_name TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, link TEXT, data TEXT, priority INTEGER NOT NULL,
     state TEXT NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
     claimed_by TEXT, claimed_until INTEGER, created_at INTEGER NOT NULL, sent_at INTEGER, detail TEXT);
   CREATE INDEX outbox_due ON outbox(state, priority, next_attempt_at);
   CREATE INDEX outbox_alarm ON outbox(alarm_id, created_at);
   CREATE INDEX outbox_escalation ON outbox(escalation_id, state);
   CREATE INDEX outbox_reply ON outbox(channel, recipient, created_at);

   CREATE TABLE attempts (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, notification_id TEXT, alarm_id TEXT, channel TEXT NOT NULL,
     recipient TEXT NOT NULL, contact_name TEXT NOT NULL, status TEXT NOT NULL, detail TEXT);
   CREATE INDEX attempts_alarm ON attempts(alarm_id, seq);
   CREATE INDEX attempts_at ON attempts(at);
   CREATE TRIGGER attempts_no_update BEFORE UPDATE ON attempts BEGIN SELECT RAISE(ABORT, 'attempts are append-only'); END;

   CREATE TABLE responder_tokens (
     token_hash TEXT PRIMARY KEY, alarm_id TEXT NOT NULL, target_key TEXT NOT NULL, contact_name TEXT NOT NULL, channel TEXT NOT NULL,
     address TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER);
   CREATE INDEX responder_tokens_alarm ON responder_tokens(alarm_id);
   CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);

   CREATE TABLE positions (
     device_id TEXT NOT NULL, worker_id TEXT, at INTEGER NOT NULL, kind TEXT NOT NULL, lat REAL, lon REAL, beacon_id TEXT, zone_id TEXT, rssi_dbm INTEGER);
   CREATE INDEX positions_device ON positions(device_id, at);
   CREATE INDEX positions_at ON positions(at);`,
  // issue 11 — the worker app: worker logins (not console users), pairing codes, phone logins, idempotency keys.
  `CREATE TABLE worker_credentials (
     worker_id TEXT PRIMARY KEY REFERENCES workers(id) ON DELETE CASCADE, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL, created_by TEXT NOT NULL);
   CREATE TABLE worker_logins (
     token_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE, via TEXT NOT NULL,
     created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX worker_logins_worker ON worker_logins(worker_id);
   CREATE TABLE pairing_codes (
     code_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE, created_at INTEGER NOT NULL,
     created_by TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
   CREATE TABLE app_actions (
     key TEXT PRIMARY KEY, worker_id TEXT NOT NULL, action TEXT NOT NULL, at INTEGER NOT NULL, device_id TEXT, counter INTEGER,
     status INTEGER, response TEXT);
   CREATE INDEX app_actions_at ON app_actions(at);`,
  // issue 8 — the console: users' scopes (a supervisor's sites and teams), teams of workers, site floor plans, history indexes.
  `ALTER TABLE users ADD COLUMN scope TEXT;
   ALTER TABLE workers ADD COLUMN team_id TEXT;
   CREATE INDEX workers_team ON workers(team_id);
   CREATE TABLE floor_plans (
     site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE, floor TEXT NOT NULL, content_type TEXT NOT NULL,
     width_m REAL NOT NULL, height_m REAL NOT NULL, image BLOB NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL,
     PRIMARY KEY (site_id, floor));
   CREATE INDEX alarms_created ON alarms(created_at);
   CREATE INDEX alarms_worker_created ON alarms(worker_id, created_at);`,
  // 5: issue 12 (scale-out) — one open alarm per subject and type as a constraint (workers on several
  // machines cannot merge by reading first), the partition an escalation belongs to, live-stream tickets
  // shared by every process of the centre.
  `CREATE UNIQUE INDEX alarms_one_open ON alarms(subject, type) WHERE state IN ('pending', 'raised', 'acknowledged');
   ALTER TABLE escalations ADD COLUMN partition_key TEXT;
   CREATE TABLE stream_tickets (ticket_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at INTEGER NOT NULL);`,
  // 6: issue 20 — every message in the recipient's language: the worker's language, the site's time zone.
  `ALTER TABLE workers ADD COLUMN language TEXT;
   ALTER TABLE sites ADD COLUMN time_zone TEXT;`,
];
