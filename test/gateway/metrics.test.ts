/** The Prometheus exposition and the /health verdict, from a health snapshot. */
import { renderMetrics } from '../../gateway/src/health/metrics';
import { type HealthSnapshot, problems } from '../../gateway/src/health/snapshot';

const healthy: HealthSnapshot = {
  siteId: 's1', gatewayId: 'gw-1', version: '0.2.0', at: 0, uptimeS: 12,
  mqtt: { state: 'connected', connected: true, connects: 1 },
  links: [{ id: 'lora0', kind: 'lora', state: 'running', counters: { frames: 5 } }, { id: 'io-1', kind: 'modbus', state: 'running', counters: { polls: 9 } }],
  outputs: { 'io-1': { siren: true } },
  bridge: { frames_received: 7, dropped_bad_tag: 2, duplicates: 1 },
  outbox: { depth: 0, oldestAgeMs: null, shed: 0, forwarded: 5, inFlight: 0 },
  keyringDevices: 3, rssBytes: 50_000_000, heapUsedBytes: 20_000_000,
};

describe('gateway metrics', () => {
  it('renders valid Prometheus text with one HELP/TYPE per family', () => {
    const text = renderMetrics(healthy);
    const lines = text.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)+\})? -?[\d.e+]+)$/);
    const types = lines.filter((l) => l.startsWith('# TYPE')).map((l) => l.split(' ')[2]);
    expect(new Set(types).size).toBe(types.length);
    expect(text).toContain('vigil_gateway_frames_dropped_total{reason="bad_tag"} 2');
    expect(text).toContain('vigil_gateway_link_state{link="lora0",state="running"} 1');
    expect(text).toContain('vigil_gateway_link_state{link="lora0",state="reconnecting"} 0');
    expect(text).toContain('vigil_gateway_site_output_wanted{module="io-1",output="siren"} 1');
    expect(text).toContain('vigil_gateway_healthy{site="s1",gateway="gw-1"} 1');
  });

  it('escapes label values', () => {
    const text = renderMetrics({ ...healthy, links: [{ id: 'lora0', kind: 'lora', state: 'running', counters: { 'we"ird\\name': 1 } }] });
    expect(text).toContain('vigil_gateway_link_events_total{link="lora0",event="we\\"ird\\\\name"} 1');
  });

  it('names every problem in plain words', () => {
    expect(problems(healthy)).toEqual([]);
    expect(problems({
      ...healthy,
      mqtt: { state: 'refused', connected: false, connects: 0, detail: 'broker refused the connection: Not authorized' },
      links: [{ id: 'ble0', kind: 'ble', state: 'unavailable', detail: 'no Bluetooth LE adapter found', counters: {} }],
      outbox: { depth: 12, oldestAgeMs: 300_000, shed: 0, forwarded: 0, inFlight: 0 },
      keyringDevices: 0,
    })).toEqual([
      'not connected to the broker (refused: broker refused the connection: Not authorized); alarms are queued on this gateway',
      'ble0 (ble) is unavailable: no Bluetooth LE adapter found',
      '12 messages have been waiting for the centre for 300 s',
      'no pendant keys received from the centre yet: frames cannot be verified',
    ]);
  });
});
