/**
 * One picture of the gateway's health, from which the retained MQTT status, the Prometheus metrics
 * and the `/health` verdict are all drawn — so they never disagree.
 */
import type { TransportState } from '../transport/types';

export interface LinkHealth {
  id: string;
  kind: 'ble' | 'lora' | 'modbus';
  state: TransportState;
  detail?: string;
  counters: Record<string, number>;
}

export interface HealthSnapshot {
  siteId: string;
  gatewayId: string;
  version: string;
  at: number;
  uptimeS: number;
  mqtt: { state: string; connected: boolean; connects: number; detail?: string };
  links: LinkHealth[];
  /** Site outputs wanted on, by module and output id. */
  outputs: Record<string, Record<string, boolean>>;
  bridge: Record<string, number>;
  outbox: { depth: number; oldestAgeMs: number | null; shed: number; forwarded: number; inFlight: number };
  broker?: { clients: number; counters: Record<string, number> };
  keyringDevices: number;
  rssBytes: number;
  heapUsedBytes: number;
}

/** Messages waiting longer than this mean the centre is not getting our alarms. */
export const OUTBOX_STALE_MS = 120_000;

/** What is wrong, in words facilities staff can act on; empty when all is well. */
export function problems(h: HealthSnapshot): string[] {
  const out: string[] = [];
  if (!h.mqtt.connected) out.push(`not connected to the broker (${h.mqtt.state}${h.mqtt.detail ? `: ${h.mqtt.detail}` : ''}); alarms are queued on this gateway`);
  for (const l of h.links) if (l.state !== 'running') out.push(`${l.id} (${l.kind}) is ${l.state}${l.detail ? `: ${l.detail}` : ''}`);
  if (h.outbox.oldestAgeMs !== null && h.outbox.oldestAgeMs > OUTBOX_STALE_MS) out.push(`${h.outbox.depth} messages have been waiting for the centre for ${Math.round(h.outbox.oldestAgeMs / 1000)} s`);
  if (h.keyringDevices === 0) out.push('no pendant keys received from the centre yet: frames cannot be verified');
  return out;
}
