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
];
