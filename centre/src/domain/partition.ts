/**
 * Partitions: what belongs together and is run by one worker at a time. A device's frames, its
 * alarms, its sessions and their timers, its escalations share the device id as partition key; what
 * belongs to no device uses its subject (`gateway:<site>/<gw>`, `session:<id>`, `notifier:<channel>`,
 * a worker id for a session without a pendant). Keys hash into a fixed number of buckets, and buckets
 * are what workers lease (leases.ts): a lease per bucket, not per device, so 50,000 pendants cost a
 * few dozen lease rows.
 */
import { hash32 } from '../../../protocol/src';
import type { Alarm, Escalation, Session } from '../store/types';

/** Buckets hash the partition key with FNV-1a (protocol/src/topics.ts, shared with the uplink shards): stable across processes, machines and versions (unlike PostgreSQL's hashtext). */
export function bucketOf(partition: string, buckets: number): number {
  return hash32(partition) % buckets;
}

export function devicePartition(deviceId: string): string {
  return deviceId;
}

/** A gateway's status, silence timer and offline alarm belong together: its alarm subject is the partition. */
export function gatewayPartition(gatewayRecordId: string): string {
  return `gateway:${gatewayRecordId}`;
}

/** An alarm runs where its device does; a system alarm by its subject. */
export function alarmPartition(a: Pick<Alarm, 'deviceId' | 'subject' | 'id'>): string {
  return a.deviceId ?? a.subject ?? `alarm:${a.id}`;
}

/** A session runs where its pendant does; without one, by its owner (the worker). */
export function sessionPartition(s: Pick<Session, 'deviceId' | 'owner'>): string {
  return s.deviceId ?? s.owner;
}

/** Stored with the escalation; rows from before the cluster existed fall back to their alarm's subject key. */
export function escalationPartition(e: Pick<Escalation, 'partition' | 'alarmId'>): string {
  return e.partition ?? `alarm:${e.alarmId}`;
}
