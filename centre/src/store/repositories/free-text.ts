/**
 * The erased person's name and numbers in free text about other people (erasure.ts): a comment on
 * another worker's alarm, an alarm's text, a note added to an alarm's timeline, another session's
 * note, any text in an audit entry. Each mention — the full name as registered, or a phone number,
 * any case, as a whole word — is replaced by `(erased)`; the rest of the text stays. A first name
 * alone is not searched: it would erase other people of the same name. Audit entries so changed are
 * redacted (`redactedAt`), the only change the append-only log allows.
 */
import { sql } from 'kysely';
import type { Q } from '../engine';
/** What stands where something personal was. */
export const ERASED = '(erased)';

/** A pattern matching any of `terms` as a whole word, any case; undefined when there is nothing to look for. */
export function mentionsOf(terms: string[]): RegExp | undefined {
  const words = [...new Set(terms.map((t) => t.trim()).filter((t) => t.length >= 3))].sort((a, b) => b.length - a.length);
  if (!words.length) return undefined;
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

/** `value` with every mention replaced, in strings, arrays and objects alike. */
export function redactMentions<T>(value: T, mentions: RegExp): T {
  if (typeof value === 'string') return value.replace(mentions, ERASED) as T;
  if (Array.isArray(value)) return value.map((v) => redactMentions(v, mentions)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactMentions(v, mentions)])) as T;
  return value;
}

/** Rows whose `column` may mention a term (a coarse, case-insensitive prefilter; the pattern decides). */
function mayMention(column: string, terms: string[]) {
  const like = (t: string): string => `%${t.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`(${sql.join(terms.map((t) => sql`lower(CAST(${sql.ref(column)} AS TEXT)) LIKE ${like(t)} ESCAPE '\\'`), sql` OR `)})`;
}

export interface FreeTextCounts {
  alarms: number;
  sessions: number;
  audit: number;
}

/** Replaces the mentions of `terms` in every alarm, session and audit entry; counts the records changed. */
export async function redactFreeText(q: Q, terms: string[], at: number): Promise<FreeTextCounts> {
  const counts: FreeTextCounts = { alarms: 0, sessions: 0, audit: 0 };
  const mentions = mentionsOf(terms);
  if (!mentions) return counts;
  const words = [...new Set(terms.map((t) => t.trim()).filter((t) => t.length >= 3))];
  const fix = (s: string | null): string | null => (s === null ? null : s.replace(mentions, ERASED));

  for (const a of await q.selectFrom('alarms').select(['id', 'text', 'comment']).where((w) => w.or([mayMention('text', words), mayMention('comment', words)])).execute()) {
    const text = fix(a.text);
    const comment = fix(a.comment);
    if (text === a.text && comment === a.comment) continue;
    await q.updateTable('alarms').set({ text, comment }).where('id', '=', a.id).execute();
    counts.alarms++;
  }
  for (const s of await q.selectFrom('work_sessions').select(['id', 'note']).where(mayMention('note', words)).execute()) {
    const note = fix(s.note);
    if (note === s.note) continue;
    await q.updateTable('work_sessions').set({ note }).where('id', '=', s.id).execute();
    counts.sessions++;
  }
  for (const e of await q.selectFrom('audit').select(['seq', 'data', 'redactedAt']).where(mayMention('data', words)).execute()) {
    const data = (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as unknown;
    const clean = redactMentions(data, mentions);
    if (JSON.stringify(clean) === JSON.stringify(data)) continue;
    await q.updateTable('audit').set({ data: JSON.stringify(clean), redactedAt: Math.max(Number(e.redactedAt ?? 0), at) }).where('seq', '=', e.seq).execute();
    counts.audit++;
  }
  return counts;
}
