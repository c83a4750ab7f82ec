/**
 * Migration 0003 (issue 21, running Vigil as a monitoring company): retention of every record kind
 * and the erasure of one person, without giving up what the append-only tables promise.
 *
 * - `audit` stays append-only except for two narrow, visible exceptions the triggers check:
 *   an entry may be **redacted** (its `data`, `actor` or `entity_id` rewritten by an erasure; the
 *   entry keeps its sequence, time, action and kind, and `redacted_at` says when), and entries may be
 *   **deleted once older than the retention horizon** — `meta.audit_purged_before`, which the
 *   retention purge moves forward in the same transaction as its DELETE (and never back).
 * - `attempts` (already deletable by retention) may likewise only be redacted, never rewritten.
 * - Indexes for the audit view's filters (time, actor), the erasure's searches (positions by worker)
 *   and the retention's deletes (ended sessions, old outbox rows, alarms by session).
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../engine';
import { statements } from './baseline';

const COMMON = `
ALTER TABLE audit ADD COLUMN redacted_at $MS;
ALTER TABLE attempts ADD COLUMN redacted_at $MS;
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_actor ON audit(actor, seq);
CREATE INDEX positions_worker ON positions(worker_id);
CREATE INDEX work_sessions_ended ON work_sessions(ended_at);
CREATE INDEX alarms_session ON alarms(session_id);
CREATE INDEX outbox_created ON outbox(created_at);
INSERT INTO meta (key, value) VALUES ('audit_purged_before', 0);`;

const SQLITE = `
DROP TRIGGER IF EXISTS audit_no_update;
DROP TRIGGER IF EXISTS audit_no_delete;
DROP TRIGGER IF EXISTS attempts_no_update;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN NEW.redacted_at IS NULL OR NEW.redacted_at < COALESCE(OLD.redacted_at, 0) OR NEW.seq <> OLD.seq OR NEW.at <> OLD.at OR NEW.action <> OLD.action OR NEW.entity <> OLD.entity BEGIN SELECT RAISE(ABORT, 'audit log is append-only: an entry may only be redacted'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit WHEN OLD.at >= COALESCE((SELECT value FROM meta WHERE key = 'audit_purged_before'), 0) BEGIN SELECT RAISE(ABORT, 'audit log is append-only: only entries older than the retention may be deleted'); END;
CREATE TRIGGER attempts_no_update BEFORE UPDATE ON attempts WHEN NEW.redacted_at IS NULL OR NEW.seq <> OLD.seq OR NEW.at <> OLD.at OR NEW.status <> OLD.status OR NEW.channel <> OLD.channel BEGIN SELECT RAISE(ABORT, 'attempts are append-only: an attempt may only be redacted'); END;`;

const POSTGRES = `
DROP TRIGGER IF EXISTS audit_append_only ON audit;
DROP TRIGGER IF EXISTS attempts_append_only ON attempts;
CREATE FUNCTION vigil_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN IF OLD.at >= COALESCE((SELECT value FROM meta WHERE key = 'audit_purged_before'), 0) THEN RAISE EXCEPTION 'audit log is append-only: only entries older than the retention may be deleted'; END IF; RETURN OLD; END IF; IF NEW.redacted_at IS NULL OR NEW.redacted_at < COALESCE(OLD.redacted_at, 0) OR NEW.seq <> OLD.seq OR NEW.at <> OLD.at OR NEW.action <> OLD.action OR NEW.entity <> OLD.entity THEN RAISE EXCEPTION 'audit log is append-only: an entry may only be redacted'; END IF; RETURN NEW; END $$;
CREATE FUNCTION vigil_attempts_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.redacted_at IS NULL OR NEW.seq <> OLD.seq OR NEW.at <> OLD.at OR NEW.status <> OLD.status OR NEW.channel <> OLD.channel THEN RAISE EXCEPTION 'attempts are append-only: an attempt may only be redacted'; END IF; RETURN NEW; END $$;
CREATE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION vigil_audit_guard();
CREATE TRIGGER attempts_guard BEFORE UPDATE ON attempts FOR EACH ROW EXECUTE FUNCTION vigil_attempts_guard();`;

export function opsMigration(dialect: Dialect): (db: Kysely<unknown>) => Promise<void> {
  const text = COMMON.replaceAll('$MS', dialect === 'postgres' ? 'BIGINT' : 'INTEGER') + (dialect === 'postgres' ? POSTGRES : SQLITE);
  return async (db) => {
    for (const s of statements(text)) await sql.raw(s).execute(db);
  };
}
