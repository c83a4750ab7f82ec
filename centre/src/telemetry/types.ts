/**
 * The telemetry seam: numeric time series (battery, RSSI, heartbeat gaps, alarm counts). Telemetry is
 * not time tracking: points carry device and site, never a worker's name or position.
 */
export interface TelemetryPoint {
  measurement: 'battery' | 'rssi' | 'heartbeat_gap' | 'alarms';
  tags: Record<string, string>;
  fields: Record<string, number>;
  at: number;
}

export interface TelemetrySink {
  write(points: TelemetryPoint[]): Promise<void>;
  close(): Promise<void>;
}

/** The embedded default: telemetry is dropped (no InfluxDB needed). */
export class NullTelemetrySink implements TelemetrySink {
  async write(): Promise<void> {}
  async close(): Promise<void> {}
}
