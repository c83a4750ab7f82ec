/**
 * Prometheus text exposition (format 0.0.4) of the health snapshot, and a small HTTP server for
 * `/metrics` (scraped) and `/health` (JSON: 200 when all is well, 503 with the problems in words).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HealthSnapshot, problems } from './snapshot';

type Labels = Record<string, string>;

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelText = (l: Labels): string => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

class Exposition {
  private readonly lines: string[] = [];
  private readonly declared = new Set<string>();

  metric(name: string, type: 'gauge' | 'counter', help: string, samples: [Labels, number][]): void {
    if (!this.declared.has(name)) {
      this.declared.add(name);
      this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    }
    for (const [labels, value] of samples) this.lines.push(`${name}${labelText(labels)} ${Number.isFinite(value) ? value : 0}`);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

const STATES = ['stopped', 'starting', 'running', 'reconnecting', 'unavailable'] as const;

export function renderMetrics(h: HealthSnapshot): string {
  const e = new Exposition();
  const gw = { site: h.siteId, gateway: h.gatewayId };
  e.metric('vigil_gateway_info', 'gauge', 'Gateway identity and version.', [[{ ...gw, version: h.version }, 1]]);
  e.metric('vigil_gateway_healthy', 'gauge', '1 when nothing needs attention (see /health).', [[gw, problems(h).length === 0 ? 1 : 0]]);
  e.metric('vigil_gateway_uptime_seconds', 'gauge', 'Seconds since the gateway started.', [[gw, h.uptimeS]]);
  e.metric('vigil_gateway_mqtt_connected', 'gauge', '1 while connected to the broker.', [[gw, h.mqtt.connected ? 1 : 0]]);
  e.metric('vigil_gateway_mqtt_connects_total', 'counter', 'Connections made to the broker.', [[gw, h.mqtt.connects]]);
  e.metric('vigil_gateway_link_up', 'gauge', '1 while a radio or site I/O link is running.', h.links.map((l) => [{ link: l.id, kind: l.kind }, l.state === 'running' ? 1 : 0]));
  e.metric('vigil_gateway_link_state', 'gauge', 'Current state of each link (one series per state).', h.links.flatMap((l) => STATES.map((s): [Labels, number] => [{ link: l.id, state: s }, l.state === s ? 1 : 0])));
  e.metric('vigil_gateway_link_events_total', 'counter', 'Per-link counters (frames, downlinks, reconnects, polls...).', h.links.flatMap((l) => Object.entries(l.counters).map(([k, v]): [Labels, number] => [{ link: l.id, event: k }, v])));
  e.metric('vigil_gateway_site_output_wanted', 'gauge', '1 while a site output (siren, strobe, door) should be active.', Object.entries(h.outputs).flatMap(([m, outs]) => Object.entries(outs).map(([o, on]): [Labels, number] => [{ module: m, output: o }, on ? 1 : 0])));
  const dropped = Object.entries(h.bridge).filter(([k]) => k.startsWith('dropped_'));
  e.metric('vigil_gateway_frames_dropped_total', 'counter', 'Frames dropped, by reason (bad tag, unknown device, replay...).', dropped.map(([k, v]) => [{ reason: k.slice('dropped_'.length) }, v]));
  e.metric('vigil_gateway_bridge_events_total', 'counter', 'Bridge counters: frames received, accepted, duplicates, downlinks...', Object.entries(h.bridge).filter(([k]) => !k.startsWith('dropped_')).map(([k, v]) => [{ event: k }, v]));
  e.metric('vigil_gateway_outbox_depth', 'gauge', 'Messages waiting for the broker to acknowledge them.', [[gw, h.outbox.depth]]);
  e.metric('vigil_gateway_outbox_oldest_age_seconds', 'gauge', 'Age of the oldest waiting message (0 when empty).', [[gw, (h.outbox.oldestAgeMs ?? 0) / 1000]]);
  e.metric('vigil_gateway_outbox_in_flight', 'gauge', 'Messages sent and not yet acknowledged.', [[gw, h.outbox.inFlight]]);
  e.metric('vigil_gateway_forwarded_total', 'counter', 'Messages the broker acknowledged.', [[gw, h.outbox.forwarded]]);
  e.metric('vigil_gateway_outbox_shed_total', 'counter', 'Routine messages dropped because the queue was full (never alarms).', [[gw, h.outbox.shed]]);
  e.metric('vigil_gateway_keyring_devices', 'gauge', 'Pendants whose keys this gateway holds.', [[gw, h.keyringDevices]]);
  if (h.broker) {
    e.metric('vigil_gateway_broker_clients', 'gauge', 'Clients connected to the embedded broker.', [[gw, h.broker.clients]]);
    e.metric('vigil_gateway_broker_events_total', 'counter', 'Embedded broker counters: logins refused, publishes and subscriptions denied, errors.', Object.entries(h.broker.counters).map(([k, v]) => [{ event: k }, v]));
  }
  e.metric('process_resident_memory_bytes', 'gauge', 'Resident memory of the gateway process.', [[{}, h.rssBytes]]);
  e.metric('nodejs_heap_used_bytes', 'gauge', 'JavaScript heap in use.', [[{}, h.heapUsedBytes]]);
  return e.text();
}

export class MetricsServer {
  private server: Server | undefined;
  port: number | undefined;

  constructor(
    private readonly listen: { host: string; port: number },
    private readonly snapshot: () => HealthSnapshot,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') {
        res.writeHead(405, { allow: 'GET' }).end();
      } else if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderMetrics(this.snapshot()));
      } else if (path === '/health') {
        const h = this.snapshot();
        const p = problems(h);
        res.writeHead(p.length === 0 ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: p.length === 0, problems: p, ...h }, null, 2));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Try /metrics or /health\n');
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listen.port, this.listen.host, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
