/**
 * Which event code each Vigil alarm reaches the alarm-receiving centre with: SIA DC-03 two-letter
 * codes for SIA-DCS, Ademco Contact ID (SIA DC-05) event numbers for ADM-CID. One table; the
 * configuration overrides rows per ARC link, and docs/arc.md prints the same table.
 *
 * Where no standard code exists (fall, man down) the nearest emergency code is used and the alarm
 * text travels in extended data. A restore code of null means DC-03 defines none: nothing is sent
 * when such an alarm is closed (Contact ID always has one: the same event with qualifier 3).
 */
import type { AlarmType } from '../../protocol/src';

export type CodeKey = AlarmType | 'cancelled' | 'periodic_test' | 'manual_test';

export interface EventCodes {
  /** false: never sent to this ARC. */
  send: boolean;
  /** DC-03 event code of the alarm. */
  sia: string;
  /** DC-03 code sent when the alarm is resolved; null: none. */
  siaRestore: string | null;
  /** Contact ID event number (100–999); the restore is the same number with qualifier 3. */
  cid: number;
  /** false: no Contact ID restore is sent. */
  cidRestore: boolean;
  /** Short label at the start of the alarm text. */
  label: string;
  /** Why this code: printed in docs/arc.md. */
  why: string;
}

const row = (send: boolean, sia: string, siaRestore: string | null, cid: number, cidRestore: boolean, label: string, why: string): EventCodes => ({ send, sia, siaRestore, cid, cidRestore, label, why });

/** The default table (docs/arc.md § Event codes). */
export const DEFAULT_CODES: Readonly<Record<CodeKey, EventCodes>> = {
  duress: row(true, 'HA', 'HH', 121, true, 'DURESS silent alarm, never call the worker', 'DC-03 Holdup "silent alarm, user under duress"; CID 121 Duress'),
  sos: row(true, 'PA', 'PH', 120, true, 'SOS', 'DC-03 Panic Alarm "emergency assistance request, manually activated"; CID 120 Panic'),
  fall: row(true, 'MA', 'MH', 100, true, 'FALL detected', 'no standard fall code: DC-03 Medical Alarm, CID 100 Medical, with the text'),
  man_down: row(true, 'QA', 'QH', 101, true, 'MAN DOWN', 'no standard code: DC-03 Emergency Alarm, CID 101 Personal emergency, with the text'),
  no_motion: row(true, 'NA', 'NS', 102, true, 'NO MOTION', 'DC-03 No Activity / Activity Resumed; CID 102 Fail to report in'),
  session_expired: row(true, 'JK', null, 102, true, 'SESSION EXPIRED, worker did not check out', 'DC-03 Latchkey Alert (expected user action missing); CID 102 Fail to report in'),
  check_in_missed: row(true, 'JK', null, 102, true, 'CHECK-IN MISSED', 'DC-03 Latchkey Alert; CID 102 Fail to report in'),
  device_silent: row(true, 'BZ', null, 381, true, 'PENDANT SILENT', 'DC-03 Missing Supervision; CID 381 Loss of supervision (RF)'),
  gateway_offline: row(true, 'NT', 'NR', 350, true, 'SITE GATEWAY OFFLINE', 'DC-03 Network Failure / Restoral; CID 350 Communication trouble'),
  notifier_failed: row(false, 'YS', 'YK', 350, true, 'NOTIFIER FAILED', 'internal to the Vigil centre: off unless enabled'),
  integration_failed: row(false, 'YS', 'YK', 354, true, 'INTEGRATION FAILED', 'internal to the Vigil centre (possibly this very link): off unless enabled'),
  backup_failed: row(false, 'YS', 'YK', 350, true, 'CENTRE BACKUP FAILED', 'internal to the Vigil centre: off unless enabled'),
  low_battery: row(true, 'XT', 'XR', 384, true, 'LOW BATTERY', 'DC-03 Transmitter Battery Trouble / Restoral; CID 384 RF low battery'),
  cancelled: row(true, 'AB', null, 406, false, 'CANCELLED by the worker in the pre-alarm window', 'DC-03 Abort "an event message was not sent due to user action"; CID 406 Cancel'),
  periodic_test: row(true, 'RP', null, 602, false, 'PERIODIC TEST', 'DC-03 Automatic Test; CID 602 Periodic test report'),
  manual_test: row(true, 'RX', null, 601, false, 'MANUAL TEST', 'DC-03 Manual Test; CID 601 Manual trigger test report'),
};

export const CODE_KEYS = Object.keys(DEFAULT_CODES) as CodeKey[];

export type CodeOverride = Partial<Pick<EventCodes, 'send' | 'sia' | 'siaRestore' | 'cid' | 'cidRestore'>>;

/** The default table with a link's overrides applied. */
export function resolveCodes(overrides: Partial<Record<CodeKey, CodeOverride>> = {}): Record<CodeKey, EventCodes> {
  const out = {} as Record<CodeKey, EventCodes>;
  for (const key of CODE_KEYS) out[key] = { ...DEFAULT_CODES[key], ...(overrides[key] ?? {}) };
  return out;
}
