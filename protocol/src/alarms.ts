/**
 * Canonical alarm types and states (SPEC §8), shared by the centre, the console and integrators.
 * Priority 1 is the most urgent; the console sorts by priority, then age.
 */
export const ALARM_TYPES = [
  { name: 'duress', priority: 1, kind: 'person', description: 'covert alarm: never call the worker' },
  { name: 'sos', priority: 2, kind: 'person', description: 'manual alarm from the pendant, app or a wired panic button' },
  { name: 'fall', priority: 2, kind: 'person', description: 'fall detected and not cancelled' },
  { name: 'man_down', priority: 2, kind: 'person', description: 'loss of verticality' },
  { name: 'no_motion', priority: 2, kind: 'person', description: 'no movement' },
  { name: 'session_expired', priority: 3, kind: 'person', description: 'a timed lone-work session ran out without being stopped' },
  { name: 'check_in_missed', priority: 3, kind: 'person', description: 'a periodic check-in was not confirmed in time' },
  { name: 'device_silent', priority: 4, kind: 'technical', description: 'a protected pendant stopped sending heartbeats' },
  { name: 'gateway_offline', priority: 4, kind: 'technical', description: 'a site gateway went offline' },
  { name: 'notifier_failed', priority: 4, kind: 'technical', description: 'a notification channel keeps failing' },
  { name: 'integration_failed', priority: 4, kind: 'technical', description: 'an integration (e.g. the alarm-receiving-centre link) reports a failure' },
  { name: 'backup_failed', priority: 4, kind: 'technical', description: 'a scheduled backup of the centre\'s store failed' },
  { name: 'low_battery', priority: 5, kind: 'technical', description: 'a pendant battery is low' },
] as const;

export type AlarmType = (typeof ALARM_TYPES)[number]['name'];
export const ALARM_TYPE_NAMES = ALARM_TYPES.map((t) => t.name) as readonly AlarmType[];

const BY_NAME = new Map<string, (typeof ALARM_TYPES)[number]>(ALARM_TYPES.map((t) => [t.name, t]));

export function isAlarmTypeName(name: string): name is AlarmType {
  return BY_NAME.has(name);
}

export function alarmPriority(type: AlarmType): number {
  return BY_NAME.get(type)!.priority;
}

/** Alarm lifecycle (SPEC §8.2): pending → raised → acknowledged → resolved; pending → cancelled. */
export const ALARM_STATES = ['pending', 'raised', 'acknowledged', 'resolved', 'cancelled'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export const RESOLUTION_REASONS = ['false_alarm', 'genuine', 'dispatched', 'test'] as const;
export type ResolutionReason = (typeof RESOLUTION_REASONS)[number];
