PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES(1);
INSERT INTO schema_version VALUES(2);
INSERT INTO schema_version VALUES(3);
INSERT INTO schema_version VALUES(4);
INSERT INTO schema_version VALUES(5);
CREATE TABLE sites (id TEXT PRIMARY KEY, name TEXT NOT NULL, ladder_id TEXT);
INSERT INTO sites VALUES('s1','Plant','l1');
INSERT INTO sites VALUES('s2','Depot',NULL);
CREATE TABLE workers (id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT, site_id TEXT REFERENCES sites(id), ladder_id TEXT, team_id TEXT);
INSERT INTO workers VALUES('w1','Wendy','+33600000001','s1',NULL,'t1');
INSERT INTO workers VALUES('w2','Walt',NULL,'s2',NULL,NULL);
CREATE TABLE devices (
     id TEXT PRIMARY KEY, key TEXT NOT NULL, board TEXT NOT NULL,
     worker_id TEXT REFERENCES workers(id), site_id TEXT REFERENCES sites(id),
     created_at INTEGER NOT NULL, last_counter INTEGER NOT NULL DEFAULT -1,
     last_seen_at INTEGER, battery_pct INTEGER, purged_counter INTEGER NOT NULL DEFAULT -1);
INSERT INTO devices VALUES('0000beef','abababababababababababababababab','puckjs','w1','s1',1700000000000,3,1700000003000,77,1);
INSERT INTO devices VALUES('0000cafe','cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd','bangle2',NULL,'s2',1700000000001,-1,NULL,NULL,-1);
CREATE TABLE events (
     device_id TEXT NOT NULL, counter INTEGER NOT NULL, type TEXT NOT NULL, received_at INTEGER NOT NULL,
     gateway_id TEXT NOT NULL, site_id TEXT NOT NULL, rssi_dbm INTEGER, battery_pct INTEGER,
     position TEXT, detail INTEGER NOT NULL, ref INTEGER NOT NULL, handled INTEGER NOT NULL DEFAULT 1,
     PRIMARY KEY (device_id, counter));
INSERT INTO events VALUES('0000beef',2,'heartbeat',1700000002000,'gw1','s1',-71,77,'{"kind":"gps","lat":48.85,"lon":2.35}',0,2,1);
INSERT INTO events VALUES('0000beef',3,'heartbeat',1700000003000,'gw1','s1',-71,77,'{"kind":"gps","lat":48.85,"lon":2.35}',0,3,0);
CREATE TABLE alarms (
     id TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE, type TEXT NOT NULL, state TEXT NOT NULL,
     priority INTEGER NOT NULL, site_id TEXT, device_id TEXT, worker_id TEXT,
     incident_ref INTEGER, last_counter INTEGER, position TEXT, position_at INTEGER,
     created_at INTEGER NOT NULL, raised_at INTEGER, updated_at INTEGER NOT NULL,
     acknowledged_at INTEGER, acknowledged_by TEXT, resolved_at INTEGER, resolved_by TEXT,
     resolution TEXT, comment TEXT, subject TEXT, text TEXT, session_id TEXT);
INSERT INTO alarms VALUES('a1',1001,'sos','raised',1,'s1','0000beef','w1',3,3,'{"kind":"beacon","beaconId":65537,"rssiDbm":-60,"ageS":2}',10,10,11,12,NULL,NULL,NULL,NULL,NULL,NULL,'device:0000beef',NULL,NULL);
INSERT INTO alarms VALUES('a2',1002,'gateway_offline','resolved',4,'s1',NULL,NULL,3,3,NULL,10,20,11,12,NULL,NULL,30,'user:op','false_alarm','back','gateway:s1/gw1','gone',NULL);
CREATE TABLE audit (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
     entity TEXT NOT NULL, entity_id TEXT NOT NULL, data TEXT);
INSERT INTO audit VALUES(1,5,'user:admin','x','alarm','a1','{"why":"sos","n":[1,2]}');
INSERT INTO audit VALUES(2,5,'user:admin','x','alarm','a2',NULL);
INSERT INTO audit VALUES(3,5,'user:admin','resolved','alarm','a2',NULL);
INSERT INTO audit VALUES(4,5,'user:admin','x','session','sess1',NULL);
INSERT INTO audit VALUES(5,5,'user:admin','x','escalation','e1',NULL);
CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL, scope TEXT);
INSERT INTO users VALUES('u1','sup','Sue','supervisor','scrypt$abc','{"siteIds":["s1"],"teamIds":["t1"]}');
INSERT INTO users VALUES('u2','op','Otto','operator','scrypt$def',NULL);
CREATE TABLE auth_sessions (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
INSERT INTO auth_sessions VALUES('tok1','u1',1,4000000000000);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta VALUES('registry_version',10);
CREATE TABLE registry (kind TEXT NOT NULL, id TEXT NOT NULL, site_id TEXT, data TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (kind, id));
INSERT INTO registry VALUES('team','t1','s1','{"id":"t1","name":"Night shift","siteId":"s1"}',0);
INSERT INTO registry VALUES('contact','c1','s1','{"id":"c1","name":"Ann","kind":"supervisor","siteId":"s1","phone":"+331","email":"ann@example.org","webhookUrl":null,"language":"fr"}',0);
INSERT INTO registry VALUES('ladder','l1',NULL,'{"id":"l1","name":"Day","steps":[{"contactId":"c1","channel":"sms","timeoutS":60}],"fallback":null}',0);
INSERT INTO registry VALUES('gateway','s1/gw1','s1','{"id":"s1/gw1","siteId":"s1","gatewayId":"gw1","name":"Hall","online":true,"lastSeenAt":9,"lastStatusAt":9,"heartbeatS":30}',0);
CREATE TABLE work_sessions (
     id TEXT PRIMARY KEY, owner TEXT NOT NULL, worker_id TEXT, device_id TEXT, site_id TEXT, kind TEXT NOT NULL, state TEXT NOT NULL,
     started_at INTEGER NOT NULL, started_by TEXT NOT NULL, planned_end_at INTEGER, reminder_before_s INTEGER NOT NULL, reminder_sent_at INTEGER,
     check_in_interval_s INTEGER, check_in_grace_s INTEGER NOT NULL, next_check_in_at INTEGER, check_in_prompted_at INTEGER, last_check_in_at INTEGER,
     note TEXT, phone TEXT, call_list TEXT NOT NULL, ended_at INTEGER, ended_by TEXT, updated_at INTEGER NOT NULL);
INSERT INTO work_sessions VALUES('sess1','w1','w1','0000beef','s1','timed','active',100,'user:op',5000,300,NULL,600,60,700,NULL,NULL,'roof','+33611','[{"name":"Porter","phone":"+33622"}]',NULL,NULL,100);
CREATE TABLE escalations (
     id TEXT PRIMARY KEY, alarm_id TEXT NOT NULL UNIQUE, site_id TEXT, state TEXT NOT NULL, phase TEXT NOT NULL, steps TEXT NOT NULL,
     broadcast TEXT NOT NULL, step INTEGER NOT NULL, round INTEGER NOT NULL, repeat INTEGER NOT NULL, next_at INTEGER, version INTEGER NOT NULL,
     started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ended_at INTEGER, end_reason TEXT, partition_key TEXT);
INSERT INTO escalations VALUES('e1','a1','s1','running','ladder','[{"key":"ladder:c1:sms","contactId":"c1","name":"Ann","role":"ladder","channel":"sms","address":"+331","timeoutS":60}]','[{"key":"b","contactId":"c1","name":"Ann","role":"supervisor","channel":"sms","address":"+331","timeoutS":60}]',0,0,1,900,0,11,11,NULL,NULL,'0000beef');
CREATE TABLE outbox (
     id TEXT PRIMARY KEY, alarm_id TEXT, alarm_number TEXT, escalation_id TEXT, step INTEGER, target_key TEXT, channel TEXT NOT NULL, recipient TEXT NOT NULL,
     contact_id TEXT, contact_name TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, link TEXT, data TEXT, priority INTEGER NOT NULL,
     state TEXT NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
     claimed_by TEXT, claimed_until INTEGER, created_at INTEGER NOT NULL, sent_at INTEGER, detail TEXT);
INSERT INTO outbox VALUES('m1','a1','1001','e1',0,'ladder:c1:sms','sms','+331','c1','Ann','SOS','SOS Wendy','https://x/r/1','{"alarm":"a1"}',1,'sent',1,3,11,NULL,NULL,11,21,'ok');
INSERT INTO outbox VALUES('m2','a1','1001','e1',1,'b','email','ann@example.org','c1','Ann','SOS','SOS Wendy',NULL,NULL,1,'pending',0,3,5000,NULL,NULL,11,NULL,NULL);
CREATE TABLE attempts (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, notification_id TEXT, alarm_id TEXT, channel TEXT NOT NULL,
     recipient TEXT NOT NULL, contact_name TEXT NOT NULL, status TEXT NOT NULL, detail TEXT);
INSERT INTO attempts VALUES(1,21,'m1','a1','sms','+331','Ann','sent','ok');
CREATE TABLE responder_tokens (
     token_hash TEXT PRIMARY KEY, alarm_id TEXT NOT NULL, target_key TEXT NOT NULL, contact_name TEXT NOT NULL, channel TEXT NOT NULL,
     address TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER);
INSERT INTO responder_tokens VALUES('rt1','a1','ladder:c1:sms','Ann','sms','+331',11,4000000000000,NULL);
CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
INSERT INTO secrets VALUES('session-key',X'c125676cea2e4fba0c708e1f2e481ae4e2092749e723ca2b86431601e38ecb50');
CREATE TABLE positions (
     device_id TEXT NOT NULL, worker_id TEXT, at INTEGER NOT NULL, kind TEXT NOT NULL, lat REAL, lon REAL, beacon_id TEXT, zone_id TEXT, rssi_dbm INTEGER);
INSERT INTO positions VALUES('0000beef','w1',50,'gps',48.85000000000000142,2.3500000000000000888,NULL,NULL,NULL);
CREATE TABLE worker_credentials (
     worker_id TEXT PRIMARY KEY REFERENCES workers(id) ON DELETE CASCADE, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL, created_by TEXT NOT NULL);
INSERT INTO worker_credentials VALUES('w1','wendy','scrypt$w',3,'user:admin');
CREATE TABLE worker_logins (
     token_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE, via TEXT NOT NULL,
     created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
INSERT INTO worker_logins VALUES('wl1','w1','password',3,4000000000000);
CREATE TABLE pairing_codes (
     code_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL REFERENCES workers(id) ON DELETE CASCADE, created_at INTEGER NOT NULL,
     created_by TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
INSERT INTO pairing_codes VALUES('pc1','w1',3,'user:admin',4000000000000,NULL);
CREATE TABLE app_actions (
     key TEXT PRIMARY KEY, worker_id TEXT NOT NULL, action TEXT NOT NULL, at INTEGER NOT NULL, device_id TEXT, counter INTEGER,
     status INTEGER, response TEXT);
INSERT INTO app_actions VALUES('k1','w1','session:start',4,NULL,NULL,200,'{"ok":true,"list":[1]}');
CREATE TABLE floor_plans (
     site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE, floor TEXT NOT NULL, content_type TEXT NOT NULL,
     width_m REAL NOT NULL, height_m REAL NOT NULL, image BLOB NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL,
     PRIMARY KEY (site_id, floor));
INSERT INTO floor_plans VALUES('s1','G','image/png',40.500000000000000001,20.0,X'89504e4700ff',6,'user:admin');
CREATE TABLE stream_tickets (ticket_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at INTEGER NOT NULL);
INSERT INTO stream_tickets VALUES('tick1','u2',4000000000000);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('audit',5);
INSERT INTO sqlite_sequence VALUES('attempts',1);
CREATE INDEX events_received ON events(received_at);
CREATE INDEX alarms_open ON alarms(state, device_id);
CREATE INDEX audit_entity ON audit(entity, entity_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE INDEX alarms_subject ON alarms(subject, type, state);
CREATE INDEX alarms_site_state ON alarms(site_id, state, type);
CREATE INDEX devices_worker ON devices(worker_id);
CREATE INDEX events_unhandled ON events(handled) WHERE handled = 0;
CREATE INDEX registry_site ON registry(kind, site_id);
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
CREATE UNIQUE INDEX work_sessions_active ON work_sessions(owner) WHERE state = 'active';
CREATE INDEX work_sessions_state ON work_sessions(state);
CREATE INDEX work_sessions_worker ON work_sessions(worker_id, started_at);
CREATE INDEX escalations_state ON escalations(state);
CREATE INDEX outbox_due ON outbox(state, priority, next_attempt_at);
CREATE INDEX outbox_alarm ON outbox(alarm_id, created_at);
CREATE INDEX outbox_escalation ON outbox(escalation_id, state);
CREATE INDEX outbox_reply ON outbox(channel, recipient, created_at);
CREATE INDEX attempts_alarm ON attempts(alarm_id, seq);
CREATE INDEX attempts_at ON attempts(at);
CREATE TRIGGER attempts_no_update BEFORE UPDATE ON attempts BEGIN SELECT RAISE(ABORT, 'attempts are append-only'); END;
CREATE INDEX responder_tokens_alarm ON responder_tokens(alarm_id);
CREATE INDEX positions_device ON positions(device_id, at);
CREATE INDEX positions_at ON positions(at);
CREATE INDEX worker_logins_worker ON worker_logins(worker_id);
CREATE INDEX app_actions_at ON app_actions(at);
CREATE INDEX workers_team ON workers(team_id);
CREATE INDEX alarms_created ON alarms(created_at);
CREATE INDEX alarms_worker_created ON alarms(worker_id, created_at);
CREATE UNIQUE INDEX alarms_one_open ON alarms(subject, type) WHERE state IN ('pending', 'raised', 'acknowledged');
COMMIT;
