/**
 * From Vigil alarm changes to the events an alarm-receiving centre gets (docs/arc.md § What is sent):
 *
 * - pending (pre-alarm, the worker may still cancel): nothing.
 * - raised — or acknowledged/resolved… of an alarm this link has not sent yet while still open —:
 *   the alarm event (SIA code / Contact ID qualifier 1), once per alarm.
 * - acknowledged: nothing more (a Vigil operator took it; the ARC's own handling goes on).
 * - resolved: the restore (DC-03 restore code / Contact ID qualifier 3) of an alarm that was sent.
 * - cancelled without ever being raised (pre-alarm cancelled by the worker): AB / 406, so that the
 *   ARC sees aborted pre-alarms; cancelled after being sent: the restore.
 *
 * The account is the worker's, else the site's, else the link's default; the worker's user number
 * is the zone (SIA) or user/zone field (Contact ID); the site's area is `ri` / the partition.
 */
import type { AlarmPayload } from '../../protocol/src';
import type { CodeKey, EventCodes } from './codes';
import type { ArcAccounts, ArcLinkConfig } from './config';

export type EventKind = 'alarm' | 'restore' | 'cancel' | 'test';
export type EventToken = 'SIA-DCS' | 'ADM-CID';

/** One message to deliver, as stored in the queue (the frame is built at each send: timestamp). */
export interface EventDraft {
  alarmId: string | null;
  kind: EventKind;
  token: EventToken;
  /** '' when none could be found: the event is recorded as rejected. */
  account: string;
  data: string;
  xdata: string;
  /** Set when the event cannot be sent at all (recorded as rejected straight away). */
  rejectReason?: string;
}

/** What this link has told the ARC about an alarm. */
/**
 * What was sent for an alarm: `raised` its alarm event, `duress` a duress alarm event (raised as duress,
 * or a duress that took the open alarm over: issue 20 — the same alarm, now type duress, must still
 * reach the ARC as a duress event), `closed` its restore or abort.
 */
export type SentState = 'raised' | 'duress' | 'closed';

export interface Transition {
  next: SentState | undefined;
  events: EventDraft[];
  /** Why nothing was sent, for the counters. */
  skipped?: 'pending' | 'not_sent_type' | 'already_sent' | 'closed_unseen' | 'unmapped_ignored';
}

interface Target {
  account: string | undefined;
  area: number | undefined;
  zone: number;
}

function target(alarm: Pick<AlarmPayload, 'siteId' | 'workerId'>, accounts: ArcAccounts): Target {
  const worker = alarm.workerId === null ? undefined : accounts.workers[alarm.workerId];
  const site = alarm.siteId === null ? undefined : accounts.sites[alarm.siteId];
  return { account: worker?.account ?? site?.account ?? accounts.default, area: site?.area, zone: worker?.user ?? 0 };
}

/** Printable ASCII without the characters DC-09 uses as delimiters; accents dropped. */
export function cleanText(text: string, maxLength = 200): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|[[\]|^]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxLength);
}

const hhmmss = (ms: number): string => new Date(ms).toISOString().slice(11, 19) + 'Z';

/** DC-03 data block: `#acct|N[ri<area>/]<code><zone>`. */
export function siaData(account: string, code: string, t: Pick<Target, 'area' | 'zone'>): string {
  return `#${account}|N${t.area === undefined ? '' : `ri${t.area}/`}${code}${String(t.zone).padStart(3, '0')}`;
}

/** Contact ID data block: `#acct|QEEE GG ZZZ` (qualifier 1 new event, 3 restore). */
export function cidData(account: string, qualifier: 1 | 3 | 6, event: number, t: Pick<Target, 'area' | 'zone'>): string {
  return `#${account}|${qualifier}${String(event).padStart(3, '0')} ${String(t.area ?? 0).padStart(2, '0')} ${String(t.zone).padStart(3, '0')}`;
}

function positionXdata(alarm: AlarmPayload): string {
  const p = alarm.position;
  if (!p) return '';
  // DC-09 extended data: X longitude, Y latitude (decimal degrees); L location on site.
  if (p.kind === 'gps' && p.lat !== undefined && p.lon !== undefined) return `[X${p.lon.toFixed(6)}][Y${p.lat.toFixed(6)}]`;
  if (p.kind === 'beacon' && p.beaconId !== undefined) return `[Lbeacon ${p.beaconId}]`;
  return '';
}

interface Ctx {
  link: Pick<ArcLinkConfig, 'format' | 'accounts' | 'extendedData'>;
  codes: Record<CodeKey, EventCodes>;
}

function draft(ctx: Ctx, alarm: AlarmPayload, kind: EventKind, codeKey: CodeKey, restore: boolean, text: string, withPosition: boolean): EventDraft | undefined {
  const codes = ctx.codes[codeKey];
  const t = target(alarm, ctx.link.accounts);
  let data: string;
  if (ctx.link.format === 'SIA-DCS') {
    const code = restore ? codes.siaRestore : codes.sia;
    if (code === null) return undefined;
    data = siaData(t.account ?? '', code, t);
  } else {
    if (restore && !codes.cidRestore) return undefined;
    data = cidData(t.account ?? '', restore ? 3 : 1, codes.cid, t);
  }
  let xdata = withPosition && ctx.link.extendedData.position ? positionXdata(alarm) : '';
  if (ctx.link.extendedData.text) xdata += `[I${cleanText(text)}]`;
  const d: EventDraft = { alarmId: alarm.id, kind, token: ctx.link.format, account: t.account ?? '', data, xdata };
  if (t.account === undefined) d.rejectReason = `no account for site '${alarm.siteId ?? '-'}' / worker '${alarm.workerId ?? '-'}'`;
  return d;
}

function who(alarm: AlarmPayload): string {
  return `alarm ${alarm.number}; worker ${alarm.workerId ?? '-'}; site ${alarm.siteId ?? '-'}; device ${alarm.deviceId ?? '-'}`;
}

/** Decides what an alarm change means for this link, given what was already sent for the alarm. */
export function alarmTransition(alarm: AlarmPayload, prev: SentState | undefined, ctx: Ctx): Transition {
  const codes = ctx.codes[alarm.type];
  const events: EventDraft[] = [];
  const push = (d: EventDraft | undefined): void => {
    if (d) events.push(d);
  };
  const unmapped = target(alarm, ctx.link.accounts).account === undefined && ctx.link.accounts.unmapped === 'ignore';
  switch (alarm.state) {
    case 'pending':
      return { next: prev, events, skipped: 'pending' };
    case 'raised':
    case 'acknowledged':
    {
      const sent: SentState = alarm.type === 'duress' ? 'duress' : 'raised';
      const takeover = prev === 'raised' && alarm.type === 'duress';
      if (prev !== undefined && !takeover) return { next: prev, events, skipped: 'already_sent' };
      if (!codes.send) return { next: sent, events, skipped: 'not_sent_type' };
      if (unmapped) return { next: sent, events, skipped: 'unmapped_ignored' };
      const what = takeover ? `${codes.label}, taking over the open alarm ${alarm.number}` : `${codes.label}${alarm.text ? `: ${alarm.text}` : ''}`;
      push(draft(ctx, alarm, 'alarm', alarm.type, false, `${what}; ${who(alarm)}; raised ${hhmmss(alarm.raisedAt)}`, true));
      return { next: sent, events };
    }
    case 'resolved':
    case 'cancelled': {
      if (prev === 'closed') return { next: prev, events, skipped: 'already_sent' };
      const at = hhmmss(alarm.resolvedAt ?? alarm.updatedAt);
      if (prev === 'raised' || prev === 'duress') {
        if (codes.send && !unmapped) {
          const why = alarm.state === 'cancelled' ? 'cancelled' : `resolved (${alarm.resolution ?? 'no reason'})`;
          push(draft(ctx, alarm, 'restore', alarm.type, true, `RESTORE ${codes.label}: ${why}; ${who(alarm)}; ${at}`, false));
        }
        return { next: 'closed', events };
      }
      if (alarm.state === 'cancelled' && ctx.codes.cancelled.send && codes.send && !unmapped) {
        push(draft(ctx, alarm, 'cancel', 'cancelled', false, `${ctx.codes.cancelled.label}: ${codes.label}; ${who(alarm)}; ${at}`, false));
        return { next: 'closed', events };
      }
      return { next: 'closed', events, skipped: alarm.state === 'cancelled' ? 'not_sent_type' : 'closed_unseen' };
    }
  }
}

/** A periodic or manual test report for one account. */
export function testDraft(kind: 'periodic_test' | 'manual_test', account: string, ctx: Ctx): EventDraft {
  const codes = ctx.codes[kind];
  const none = { area: undefined, zone: 0 };
  const data = ctx.link.format === 'SIA-DCS' ? siaData(account, codes.sia, none) : cidData(account, 1, codes.cid, none);
  const xdata = ctx.link.extendedData.text ? `[I${cleanText(codes.label)}]` : '';
  return { alarmId: null, kind: 'test', token: ctx.link.format, account, data, xdata };
}

/** Every account this link reports for (periodic tests go to each). */
export function linkAccounts(accounts: ArcAccounts): string[] {
  const all = new Set<string>([accounts.transmitter]);
  if (accounts.default) all.add(accounts.default);
  for (const s of Object.values(accounts.sites)) if (s.account) all.add(s.account);
  for (const w of Object.values(accounts.workers)) if (w.account) all.add(w.account);
  return [...all];
}
