/**
 * Radio coverage survey for facilities staff: which pendants this spot hears, how strongly, and how
 * many of their frames get lost. Frames are read from their clear header only (SPEC §2.2: device id
 * and the low 24 counter bits are not encrypted), so a survey works before any key is installed;
 * with the keyring cached in the data directory, devices of this site are marked as such.
 * Loss is estimated from counter gaps: every frame a pendant sends carries the next counter.
 */
import { UPLINK_LENGTH } from '../../protocol/src';
import type { RadioFrame } from './transport/types';

interface DeviceStats {
  deviceId: string;
  transports: Set<string>;
  lora: boolean;
  frames: number;
  counters: Set<number>;
  minCounter: number;
  maxCounter: number;
  rssi: number[];
  snr: number[];
  lastAtMs: number;
}

export interface SurveyRow {
  deviceId: string;
  known: boolean;
  via: string;
  frames: number;
  lossPct: number | null;
  rssiMinDbm: number | null;
  rssiAvgDbm: number | null;
  rssiMaxDbm: number | null;
  snrAvgDb: number | null;
  lastHeardS: number;
  verdict: 'good' | 'fair' | 'poor';
}

const avg = (xs: number[]): number | null => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);

export class Survey {
  private readonly devices = new Map<string, DeviceStats>();
  ignored = 0;

  constructor(private readonly isKnown: (deviceId: string) => boolean = () => false) {}

  add(f: RadioFrame): void {
    const p = f.payload;
    if (p.length !== UPLINK_LENGTH || p[0] !== 0x10) {
      this.ignored++;
      return;
    }
    const deviceId = Buffer.from(p.subarray(1, 5)).toString('hex');
    const counter = (p[5]! << 16) | (p[6]! << 8) | p[7]!;
    let d = this.devices.get(deviceId);
    if (!d) {
      d = { deviceId, transports: new Set(), lora: false, frames: 0, counters: new Set(), minCounter: counter, maxCounter: counter, rssi: [], snr: [], lastAtMs: f.receivedAt };
      this.devices.set(deviceId, d);
    }
    d.frames++;
    d.transports.add(f.transportId);
    if (f.kind === 'lora') d.lora = true;
    d.counters.add(counter);
    d.minCounter = Math.min(d.minCounter, counter);
    d.maxCounter = Math.max(d.maxCounter, counter);
    if (f.rssiDbm !== null) d.rssi.push(f.rssiDbm);
    if (f.snrDb !== null) d.snr.push(f.snrDb);
    d.lastAtMs = Math.max(d.lastAtMs, f.receivedAt);
  }

  rows(nowMs: number): SurveyRow[] {
    return [...this.devices.values()]
      .map((d): SurveyRow => {
        const expected = d.maxCounter - d.minCounter + 1;
        const lossPct = expected >= 2 ? Math.round((1 - d.counters.size / expected) * 1000) / 10 : null;
        const rssiAvg = avg(d.rssi);
        return {
          deviceId: d.deviceId, known: this.isKnown(d.deviceId), via: [...d.transports].sort().join(','), frames: d.frames, lossPct,
          rssiMinDbm: d.rssi.length ? Math.min(...d.rssi) : null, rssiAvgDbm: rssiAvg, rssiMaxDbm: d.rssi.length ? Math.max(...d.rssi) : null,
          snrAvgDb: avg(d.snr), lastHeardS: Math.round((nowMs - d.lastAtMs) / 1000),
          verdict: verdict(lossPct, rssiAvg, d.lora),
        };
      })
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }

  /** A fixed-width table for a terminal. */
  table(nowMs: number): string {
    const rows = this.rows(nowMs);
    if (rows.length === 0) return 'No pendant heard. Check that pendants are switched on and in range, and that the radios are running (see the status lines above).\n';
    const head = ['device', 'site', 'via', 'frames', 'loss %', 'rssi min/avg/max dBm', 'snr dB', 'last s', 'verdict'];
    const body = rows.map((r) => [
      r.deviceId, r.known ? 'yes' : 'no', r.via, String(r.frames), r.lossPct === null ? '-' : r.lossPct.toFixed(1),
      r.rssiAvgDbm === null ? '-' : `${r.rssiMinDbm}/${r.rssiAvgDbm}/${r.rssiMaxDbm}`, r.snrAvgDb === null ? '-' : String(r.snrAvgDb), String(r.lastHeardS), r.verdict,
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
  }
}

/**
 * BLE adverts below about −85 dBm, or LoRa below about −115 dBm, are near the edge; more than 10 %
 * lost frames means alarms depend on retries. (Rules of thumb for a walk-test, not guarantees.)
 */
function verdict(lossPct: number | null, rssiAvg: number | null, lora: boolean): SurveyRow['verdict'] {
  const edge = lora ? -115 : -85;
  if ((lossPct ?? 0) > 10 || (rssiAvg !== null && rssiAvg < edge)) return 'poor';
  if ((lossPct ?? 0) > 2 || (rssiAvg !== null && rssiAvg < edge + 10)) return 'fair';
  return 'good';
}
