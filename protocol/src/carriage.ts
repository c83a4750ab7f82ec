/**
 * How frames travel (SPEC §4.3 BLE, §4.4 LoRa P2P): the radio settings both ends must share, as tables
 * that SPEC.md prints. The frames themselves are the same bytes on every carriage.
 */
import { BLE_COMPANY_ID, DOWNLINK_LENGTH, GATT_DOWNLINK_UUID, GATT_SERVICE_UUID, UPLINK_LENGTH } from './layout';

export interface Setting {
  name: string;
  value: string | number | boolean;
  description: string;
}

/** SPEC §4.3 — BLE carriage of uplinks (legacy advert) and downlinks (GATT write). */
export const BLE_SETTINGS: readonly Setting[] = [
  { name: 'companyId', value: `0x${BLE_COMPANY_ID.toString(16).toUpperCase()}`, description: 'manufacturer-data company id of Vigil adverts (pendant setting `co`; 0xFFFF is the SIG test value, a deployment may use its own assigned id)' },
  { name: 'advertLayout', value: 'flags(3) + manufacturer AD(4 + 24) = 31 bytes', description: 'the 24-byte uplink is the whole manufacturer data; no name, no other AD structures' },
  { name: 'gattService', value: GATT_SERVICE_UUID, description: 'primary service the pendant exposes for downlinks' },
  { name: 'gattDownlink', value: GATT_DOWNLINK_UUID, description: `characteristic, write (with response), exactly ${DOWNLINK_LENGTH} bytes: one downlink frame per write` },
  { name: 'alarmIntervalMs', value: 100, description: 'advertising interval while an unacknowledged alarm or pre-alarm frame is on air' },
  { name: 'receivedIntervalMs', value: 500, description: 'advertising interval once the centre holds the alarm (`received`), until `closed`' },
  { name: 'statusIntervalMs', value: 250, description: 'advertising interval while status frames are on air; each status frame stays on air 10 s, newest first, rotating with the others' },
  { name: 'idleIntervalMs', value: 1000, description: 'while protected and no frame is on air: a flags-only advert, so gateways can always connect and write a downlink' },
  { name: 'connectable', value: 'while protected', description: 'always connectable while protected (≈ +20 µA on a Puck.js, so a check-in request or protection change reaches the pendant at any time); no advertising at all outside protection' },
];

/** SPEC §4.4 — LoRa point-to-point defaults for EU868 (one channel, no LoRaWAN). */
export const LORA_P2P_DEFAULTS = {
  frequencyHz: 869_525_000,
  spreadingFactor: 9,
  bandwidthHz: 125_000,
  codingRate: 5, // 4/5
  preambleSymbols: 8,
  syncWord: 0x12,
  crc: true,
  explicitHeader: true,
  txPowerDbm: 14,
  rxWindowAlarmMs: 3000,
  rxWindowStatusMs: 1000,
  gatewayTurnaroundMs: 50,
} as const;

export const LORA_SETTINGS: readonly Setting[] = [
  { name: 'frequencyHz', value: LORA_P2P_DEFAULTS.frequencyHz, description: 'EU868 sub-band 869.40–869.65 MHz (ETSI EN 300 220): 10 % duty cycle, up to 500 mW ERP; the LoRaWAN RX2 frequency, kept apart by the sync word' },
  { name: 'spreadingFactor', value: LORA_P2P_DEFAULTS.spreadingFactor, description: 'SF9: about 6 dB more link budget than SF7 (SX127x sensitivity ≈ −129 vs −123 dBm) for a ~206 ms uplink; raise per site for range' },
  { name: 'bandwidthHz', value: LORA_P2P_DEFAULTS.bandwidthHz, description: 'BW125' },
  { name: 'codingRate', value: '4/5', description: 'CR 4/5' },
  { name: 'preambleSymbols', value: LORA_P2P_DEFAULTS.preambleSymbols, description: 'preamble length' },
  { name: 'syncWord', value: '0x12', description: 'private-network sync word (LoRaWAN public networks use 0x34)' },
  { name: 'header', value: 'explicit, CRC on', description: 'PHY header and payload CRC' },
  { name: 'iq', value: 'uplink normal, downlink inverted', description: 'as LoRaWAN: pendants do not hear each other, gateways do not hear each other' },
  { name: 'txPowerDbm', value: LORA_P2P_DEFAULTS.txPowerDbm, description: 'default conducted power (about the RN2483 maximum on 868 MHz; the sub-band allows up to 27 dBm ERP)' },
  { name: 'payload', value: `${UPLINK_LENGTH} B up / ${DOWNLINK_LENGTH} B down`, description: 'the frames of §2 and §4 unchanged, no extra header' },
  { name: 'rxWindowAlarmMs', value: LORA_P2P_DEFAULTS.rxWindowAlarmMs, description: 'after an alarm, pre-alarm or cancel uplink the pendant receives this long, starting when its TX ends' },
  { name: 'rxWindowStatusMs', value: LORA_P2P_DEFAULTS.rxWindowStatusMs, description: 'the same after a status uplink' },
  { name: 'gatewayTurnaroundMs', value: LORA_P2P_DEFAULTS.gatewayTurnaroundMs, description: 'a gateway starts a downlink no sooner than this after the uplink ended, and only if it ends inside the window' },
];

/** Radio parameters the time on air depends on; absent ones take the SPEC §4.4 defaults. */
export interface LoraAirtimeParams {
  spreadingFactor?: number;
  bandwidthHz?: number;
  /** Coding-rate denominator: 5 = 4/5 … 8 = 4/8. */
  codingRate?: number;
  preambleSymbols?: number;
  crc?: boolean;
  explicitHeader?: boolean;
}

/**
 * LoRa time on air in ms (Semtech AN1200.13): symbol time 2^SF/BW, preamble + 4.25 symbols, and
 * 8 + ceil((8·PL − 4·SF + 28 + 16·CRC − 20·IH) / (4·(SF − 2·DE)))·(CR + 4) payload symbols, with
 * low-data-rate optimisation DE on for SF11/12 at 125 kHz. The one implementation: the gateway's duty
 * and receive-window arithmetic and the simulator's modems use it too.
 */
export function loraAirtimeMs(payloadBytes: number, radio: LoraAirtimeParams | number = {}): number {
  const r: LoraAirtimeParams = typeof radio === 'number' ? { spreadingFactor: radio } : radio;
  const sf = r.spreadingFactor ?? LORA_P2P_DEFAULTS.spreadingFactor;
  const bandwidthHz = r.bandwidthHz ?? LORA_P2P_DEFAULTS.bandwidthHz;
  const tSym = (2 ** sf / bandwidthHz) * 1000;
  const de = sf >= 11 && bandwidthHz <= 125_000 ? 1 : 0;
  const ih = (r.explicitHeader ?? LORA_P2P_DEFAULTS.explicitHeader) ? 0 : 1;
  const crc = (r.crc ?? LORA_P2P_DEFAULTS.crc) ? 1 : 0;
  const cr = (r.codingRate ?? LORA_P2P_DEFAULTS.codingRate) - 4;
  const n = Math.ceil((8 * payloadBytes - 4 * sf + 28 + 16 * crc - 20 * ih) / (4 * (sf - 2 * de)));
  const payloadSymbols = 8 + Math.max(n * (cr + 4), 0);
  return ((r.preambleSymbols ?? LORA_P2P_DEFAULTS.preambleSymbols) + 4.25) * tSym + payloadSymbols * tSym;
}
