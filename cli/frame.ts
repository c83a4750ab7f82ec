/**
 * `npx vigil frame …`: encode and decode radio frames by hand (bench work, field debugging, other
 * implementations), and print or refresh the generated tables of protocol/SPEC.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  decodeDownlink,
  decodeUplink,
  type DownlinkCommand,
  DOWNLINK_COMMANDS,
  downlinkToJson,
  encodeDownlink,
  encodeUplink,
  exportedSchemas,
  FLAG_BITS,
  type FlagName,
  fillSpec,
  fromHex,
  KEY_LENGTH,
  messageTypeByName,
  MESSAGE_TYPES,
  type MessageType,
  parseDeviceId,
  type Position,
  specMarkdown,
  toHex,
  uplinkToJson,
  DOWNLINK_LENGTH,
  isSettingName,
  settingByName,
  SETTINGS,
} from '../protocol/src';
import type { Command } from './main';

export const PROTOCOL_DIR = join(__dirname, '..', 'protocol');

const USAGE = `npx vigil frame encode --key <hex32> --device <hex8> --counter <n> --type <type> [--battery <0-100>]
                        [--flags protection,charging,lowBattery,pending] [--detail <n|alarm type>] [--ref <n>]
                        [--beacon <id>:<rssiDbm>[:<ageS>] | --gps <lat>,<lon> | --firmware <major.minor> --settings-hash <hex8>]
       npx vigil frame encode --key <hex32> --device <hex8> --counter <n> --command <command> [--param <n>] [--setting <name>]
       npx vigil frame decode --key <hex32> [--last-counter <n>] <framehex>
       npx vigil frame spec [--write]

types: ${MESSAGE_TYPES.map((t) => t.name).join(', ')}
commands: ${DOWNLINK_COMMANDS.map((c) => c.name).join(', ')}
settings (--command setting --setting <name> --param <value on the wire>): ${SETTINGS.map((s) => s.name).join(', ')}
Counters and ids may be decimal or 0x-prefixed hex. decode prints the frame as JSON, or {"error":"<code>"} and exits 1.`;

class UsageError extends Error {}

function int(name: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined) throw new UsageError(`--${name} is required`);
  const v = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  return v;
}

function keyArg(text: string | undefined): Uint8Array {
  const key = text === undefined ? undefined : fromHex(text);
  if (!key || key.length !== KEY_LENGTH) throw new UsageError('--key must be 32 hex digits (a 128-bit key)');
  return key;
}

function deviceArg(text: string | undefined): number {
  const id = text === undefined ? undefined : parseDeviceId(text.replace(/^0x/i, ''));
  if (id === undefined) throw new UsageError('--device must be 8 hex digits, e.g. 00c0ffee');
  return id;
}

function position(beacon: string | undefined, gps: string | undefined): Position | null {
  if (beacon !== undefined && gps !== undefined) throw new UsageError('give --beacon or --gps, not both');
  if (beacon !== undefined) {
    const [id, rssi, age] = beacon.split(':');
    return { kind: 'beacon', beaconId: int('beacon id', id, 0, 0xffffffff), rssiDbm: int('beacon rssi', rssi, -128, 127), ageS: age === undefined ? 0 : int('beacon age', age, 0, 255) };
  }
  if (gps !== undefined) {
    const [lat, lon] = gps.split(',').map(Number);
    if (lat === undefined || lon === undefined || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) throw new UsageError(`--gps must be <lat>,<lon> in degrees, got '${gps}'`);
    return { kind: 'gps', lat, lon };
  }
  return null;
}

function flagsArg(text: string | undefined): Partial<Record<FlagName, boolean>> {
  const flags: Partial<Record<FlagName, boolean>> = {};
  for (const name of (text ?? '').split(',').filter((s) => s !== '')) {
    const f = FLAG_BITS.find((b) => b.name === name);
    if (!f) throw new UsageError(`unknown flag '${name}' (flags: ${FLAG_BITS.map((b) => b.name).join(', ')})`);
    flags[f.name] = true;
  }
  return flags;
}

function encode(args: string[]): string {
  const { values: v } = parseArgs({
    args,
    options: {
      key: { type: 'string' }, device: { type: 'string' }, counter: { type: 'string' }, type: { type: 'string' }, battery: { type: 'string' },
      flags: { type: 'string' }, detail: { type: 'string' }, ref: { type: 'string' }, beacon: { type: 'string' }, gps: { type: 'string' },
      command: { type: 'string' }, param: { type: 'string' }, setting: { type: 'string' }, firmware: { type: 'string' }, 'settings-hash': { type: 'string' },
    },
  });
  const key = keyArg(v.key);
  const deviceId = deviceArg(v.device);
  const counter = int('counter', v.counter, 0, 0xffffffff);
  if (v.command !== undefined) {
    if (!DOWNLINK_COMMANDS.some((c) => c.name === v.command)) throw new UsageError(`unknown command '${v.command}'`);
    const param = v.param === undefined ? 0 : int('param', v.param, 0, 0xffff);
    if ((v.command === 'setting') !== (v.setting !== undefined)) throw new UsageError('--setting goes with, and only with, --command setting');
    if (v.setting !== undefined && !isSettingName(v.setting)) throw new UsageError(`unknown setting '${v.setting}'`);
    try {
      return toHex(encodeDownlink({ deviceId, counter, command: v.command as DownlinkCommand, param, ...(v.setting === undefined ? {} : { setting: v.setting }) }, key));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const spec = v.type === undefined ? undefined : messageTypeByName(v.type);
  if (!spec) throw new UsageError(v.type === undefined ? '--type (or --command) is required' : `unknown type '${v.type}'`);
  const detail = v.detail === undefined ? 0 : (messageTypeByName(v.detail)?.code ?? settingByName(v.detail)?.id ?? int('detail', v.detail, 0, 255));
  if ((v.firmware === undefined) !== (v['settings-hash'] === undefined)) throw new UsageError('--firmware and --settings-hash go together');
  const device = v.firmware === undefined ? null : { firmware: v.firmware, settingsHash: v['settings-hash']!.toLowerCase() };
  const battery = v.battery === undefined ? null : int('battery', v.battery, 0, 100);
  const input = { deviceId, counter, type: spec.name as MessageType, batteryPct: battery, flags: flagsArg(v.flags), detail, position: position(v.beacon, v.gps), device, ...(v.ref === undefined ? {} : { ref: int('ref', v.ref, 0, 0xffffffff) }) };
  try {
    return toHex(encodeUplink(input, key));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Returns [exit code, JSON line]. */
function decode(args: string[]): [number, string] {
  const { values: v, positionals } = parseArgs({ args, allowPositionals: true, options: { key: { type: 'string' }, 'last-counter': { type: 'string' } } });
  const key = keyArg(v.key);
  const lastCounter = v['last-counter'] === undefined ? undefined : int('last-counter', v['last-counter'], 0, 0xffffffff);
  if (positionals.length !== 1) throw new UsageError('give exactly one frame, in hex');
  const bytes = fromHex(positionals[0]!.replace(/^0x/i, ''));
  if (!bytes) throw new UsageError(`not hex: '${positionals[0]}'`);
  // The key given is the key of whatever device the frame names.
  const lookup = () => ({ key, lastCounter });
  if (bytes.length === DOWNLINK_LENGTH) {
    const r = decodeDownlink(bytes, lookup);
    return r.ok ? [0, JSON.stringify({ kind: 'downlink', ...downlinkToJson(r.frame) })] : [1, JSON.stringify({ error: r.code, detail: r.detail })];
  }
  const r = decodeUplink(bytes, lookup);
  return r.ok ? [0, JSON.stringify({ kind: 'uplink', ...uplinkToJson(r.frame) })] : [1, JSON.stringify({ error: r.code, detail: r.detail })];
}

/** Refreshes SPEC.md's generated blocks and protocol/schemas/*.json; returns what changed. */
export function writeSpec(dir = PROTOCOL_DIR): string[] {
  const changed: string[] = [];
  const specPath = join(dir, 'SPEC.md');
  const filled = fillSpec(readFileSync(specPath, 'utf8'));
  if (filled.missing.length || filled.unknown.length) throw new UsageError(`SPEC.md blocks: missing ${filled.missing.join(', ') || 'none'}; unknown ${filled.unknown.join(', ') || 'none'}`);
  if (filled.text !== readFileSync(specPath, 'utf8')) {
    writeFileSync(specPath, filled.text);
    changed.push('protocol/SPEC.md');
  }
  for (const [name, text] of Object.entries(exportedSchemas())) {
    const path = join(dir, 'schemas', name);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    writeFileSync(path, text);
    changed.push(`protocol/schemas/${name}`);
  }
  return changed;
}

export const frameCommand: Command = {
  summary: 'encode and decode radio frames; print the SPEC tables',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'encode') {
        process.stdout.write(encode(rest) + '\n');
        return 0;
      }
      if (sub === 'decode') {
        const [code, line] = decode(rest);
        process.stdout.write(line + '\n');
        return code;
      }
      if (sub === 'spec') {
        if (!rest.includes('--write')) {
          process.stdout.write(specMarkdown());
          return 0;
        }
        const changed = writeSpec();
        process.stdout.write(changed.length ? `updated: ${changed.join(', ')}\n` : 'SPEC.md and schemas are up to date\n');
        return 0;
      }
      throw new UsageError(sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`);
    } catch (e) {
      if (!(e instanceof UsageError) && !isParseArgsError(e)) throw e;
      process.stderr.write(`vigil frame: ${e.message}\n\nUsage: ${USAGE}\n`);
      return 2;
    }
  },
};

/** node:util parseArgs reports unknown or malformed options as TypeErrors with an ERR_PARSE_ARGS_* code. */
function isParseArgsError(e: unknown): e is Error {
  const code = (e as { code?: unknown }).code;
  return e instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
