/**
 * The Espruino codec against protocol/vectors/*.json (SPEC §10), in the stand-in with only the crypto
 * each board has: the built firmware file of every board encodes the uplink vectors byte for byte
 * (Puck.js and the LoRa board through AES-ECB/CBC, Bangle.js 2 through its native AES-CCM) and
 * accepts exactly the positive downlink vectors.
 */
import { VirtualClock } from '../../common/clock';
import { FIRMWARE_BOARDS, FIRMWARE_GPS, type FirmwareBoard, loadDist } from '../../firmware/tools/build';
import { downlinkCommandCode, downlinkCommandCodes, FLAG_BITS, fromHex, messageTypeByName, parseFirmwareVersion, sealDownlink, settingByName, toHex } from '../../protocol/src';
import { VirtualBoard } from '../../simulator/src/espruino/board';
import { toBytes } from '../../simulator/src/espruino/storage';
import { downlinkVectors, type UplinkInputJson, uplinkVectors } from '../protocol/vectors';

const up = uplinkVectors();
const down = downlinkVectors();

/** The firmware's message object for `VFrame.up` (frame.js), as an expression in the board's realm. */
function firmwareMessage(i: UplinkInputJson): string {
  let flags = 0;
  for (const f of FLAG_BITS) if (i.flags?.[f.name]) flags |= 1 << f.bit;
  const p = i.position ?? null;
  const dv = i.device;
  const pos = dv ? `VFrame.dev(${parseFirmwareVersion(dv.firmware)}, ${parseInt(dv.settingsHash, 16)})` : p === null ? 'undefined' : p.kind === 'beacon' ? `VFrame.bcn(${p.beaconId}, ${p.rssiDbm}, ${p.ageS})` : `VFrame.gps(${p.lat}, ${p.lon})`;
  const battery = i.batteryPct ?? 255;
  return `{t: ${messageTypeByName(i.type)!.code}, b: ${battery}, f: ${flags}, d: ${i.detail ?? 0}, r: ${i.ref ?? i.counter}, p: ${pos}}`;
}

function bootBoard(board: FirmwareBoard): VirtualBoard {
  const b = new VirtualBoard({ board, clock: new VirtualClock() });
  b.flash.files.set('vigil.json', toBytes(JSON.stringify({ id: '00c0ffee', key: up.keys['k1'] })));
  b.boot(loadDist(board), `firmware/dist/${board}.js`);
  return b;
}

describe.each(FIRMWARE_BOARDS.map((b) => [b] as const))('Espruino codec on %s', (boardName) => {
  let board: VirtualBoard;
  beforeAll(() => {
    board = bootBoard(boardName);
  });
  afterAll(() => board.shutdown());

  const keyExpr = (dev: string) => `VFrame.unhex("${up.keyring.find((k) => k.deviceId === dev)!.key}")`;

  it('runs with only the crypto the board has (recorded: firmware/check/fixtures/probes/aes-*.txt)', () => {
    const native = board.profile.crypto === 'bangle';
    expect(board.evaluate('typeof AES')).toBe('function'); // a class on both
    expect(board.evaluate('typeof AES.ccmEncrypt')).toBe(native ? 'function' : 'undefined');
    expect(board.evaluate('typeof require("crypto").AES')).toBe(native ? 'undefined' : 'function');
  });

  // A board without GPS (Puck.js, the LoRa board) never sends GPS positions and does not carry the
  // encoder (lib/frame_gps.js); its GPS vectors are covered by the Bangle.js 2 build.
  const hasGps = FIRMWARE_GPS[boardName];
  it.each(up.positive.filter((v) => hasGps || v.input.position?.kind !== 'gps').map((v) => [v.name, v] as const))('encodes uplink: %s', (_n, v) => {
    const expr = `VFrame.hex(VFrame.up(0x${v.input.deviceId}, ${keyExpr(v.input.deviceId)}, ${v.input.counter}, ${firmwareMessage(v.input)}))`;
    expect(board.evaluate(expr)).toBe(v.frame);
  });

  it.each(down.positive.map((v) => [v.name, v] as const))('accepts downlink: %s', (_n, v) => {
    const out = board.evaluate(`JSON.stringify(VFrame.down(VFrame.unhex("${v.frame}"), 0x${v.receiver}, ${keyExpr(v.receiver)}))`);
    const code = downlinkCommandCode(v.decoded.command, v.decoded.setting && settingByName(v.decoded.setting)!.id);
    expect(JSON.parse(out as string)).toEqual({ c: v.decoded.counter, m: code, p: v.decoded.param });
  });

  it.each(down.negative.map((v) => [v.name, v.error, v] as const))('rejects downlink: %s (%s)', (_n, _e, v) => {
    expect(board.evaluate(`typeof VFrame.down(VFrame.unhex("${v.frame}"), 0x${v.receiver}, ${keyExpr(v.receiver)})`)).toBe('undefined');
  });

  it('accepts exactly the command codes of the table and rejects every reserved one', () => {
    const key = up.keyring.find((k) => k.deviceId === '00c0ffee')!.key;
    const accepted: number[] = [];
    for (let code = 0; code <= 255; code++) {
      const frame = toHex(sealDownlink(0xc0ffee, 77, code, 0, fromHex(key)!));
      if (board.evaluate(`typeof VFrame.down(VFrame.unhex("${frame}"), 0xc0ffee, ${keyExpr('00c0ffee')})`) !== 'undefined') accepted.push(code);
    }
    expect(accepted).toEqual(downlinkCommandCodes());
  });
});
