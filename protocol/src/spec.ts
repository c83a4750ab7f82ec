/**
 * The generated parts of protocol/SPEC.md and protocol/schemas/*.json, from the tables in code (the one
 * source of truth). `npx vigil frame spec` prints the sections; `--write` refreshes both; a test fails
 * when the committed files differ from what this produces. Pure: no file access here.
 */
import { ALARM_STATES, ALARM_TYPES, RESOLUTION_REASONS } from './alarms';
import { BLE_SETTINGS, LORA_P2P_DEFAULTS, LORA_SETTINGS, loraAirtimeMs, type Setting } from './carriage';
import { DOWNLINK_ERRORS, REPLAY_VERDICTS, UPLINK_ERRORS } from './errors';
import {
  DOWNLINK_COMMANDS,
  DOWNLINK_FIELDS,
  DOWNLINK_LENGTH,
  DOWNLINK_RESERVED,
  type FieldSpec,
  FLAG_BITS,
  FLAGS_RESERVED_MASK,
  FRAME_KINDS,
  MESSAGE_TYPES,
  POSITION_KINDS,
  POSITION_KIND_SHIFT,
  UPLINK_FIELDS,
  UPLINK_LENGTH,
} from './layout';
import { PAYLOAD_SCHEMAS } from './payloads';
import { SETTING_COMMAND_BASE, SETTINGS, fromWire } from './settings';
import { TOPICS } from './topics';

const cell = (v: unknown): string => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(head: string[], rows: unknown[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

const DETAIL = { none: 'zero', repeat: 'repeat number (0 = first frame, saturates at 255)', alarmType: 'code of the alarm type (2–6)', setting: 'setting id (§4.2.1)' } as const;
const hex2 = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;
const bytes = (f: FieldSpec): string => (f.size === 1 ? `${f.offset}` : `${f.offset}–${f.offset + f.size - 1}`);

function fieldTable(fields: readonly FieldSpec[]): string {
  return table(['bytes', 'field', 'size', 'type', 'sealed', 'meaning'], fields.map((f) => [bytes(f), `\`${f.name}\``, f.size, f.kind, f.encrypted ? 'yes' : 'no', f.description]));
}

function settingsTable(settings: readonly Setting[]): string {
  return table(['setting', 'value', 'meaning'], settings.map((s) => [`\`${s.name}\``, `\`${String(s.value)}\``, s.description]));
}

function airtimeTable(): string {
  const rows = [7, 8, 9, 10, 11, 12].map((sf) => [
    `SF${sf}${sf === LORA_P2P_DEFAULTS.spreadingFactor ? ' (default)' : ''}`,
    loraAirtimeMs(UPLINK_LENGTH, sf).toFixed(1),
    loraAirtimeMs(DOWNLINK_LENGTH, sf).toFixed(1),
    Math.floor((3600 * 1000 * 0.1) / loraAirtimeMs(UPLINK_LENGTH, sf)),
  ]);
  return table(['spreading factor (BW125, CR4/5, 8-symbol preamble, CRC, explicit header)', `uplink ${UPLINK_LENGTH} B, ms`, `downlink ${DOWNLINK_LENGTH} B, ms`, 'uplinks per hour within 10 % duty cycle'], rows);
}

function schemaSummary(): string {
  const rows = Object.entries(PAYLOAD_SCHEMAS).map(([name, s]) => {
    const required = (s['required'] as string[] | undefined) ?? [];
    const props = Object.keys((s['properties'] as Record<string, unknown> | undefined) ?? {});
    const optional = props.filter((p) => !required.includes(p));
    return [`\`${name}\``, `[schemas/${name}.schema.json](schemas/${name}.schema.json)`, required.join(', '), optional.join(', ') || '—'];
  });
  return table(['payload', 'JSON Schema', 'required', 'optional'], rows);
}

/** Every generated section of SPEC.md, by name. */
export function specSections(): Record<string, string> {
  return {
    'frame-kinds': table(['low nibble', 'kind', 'length', 'meaning'], FRAME_KINDS.map((k) => [k.code === 3 ? '3–15' : k.code, `\`${k.name}\``, k.length === null ? '—' : `${k.length} B`, k.description])),
    'uplink-fields': fieldTable(UPLINK_FIELDS),
    'flag-bits': table(
      ['bit', 'name', 'meaning'],
      [
        ...FLAG_BITS.map((f) => [f.bit, `\`${f.name}\``, f.description]),
        [`${POSITION_KIND_SHIFT}–${POSITION_KIND_SHIFT + 1}`, '`positionKind`', 'position layout of bytes 14–19 (§2.4)'],
        ['6–7', '—', `reserved, zero (mask ${hex2(FLAGS_RESERVED_MASK)}); set = \`bad_field\``],
      ],
    ),
    'position-kinds': table(['kind', 'name', 'six bytes'], POSITION_KINDS.map((p): unknown[] => [p.code, `\`${p.name}\``, p.layout])),
    'message-types': table(
      ['code', 'type', 'class', '`detail` byte', 'kind `device` (§2.4)', 'meaning'],
      MESSAGE_TYPES.map((t) => [t.code, `\`${t.name}\``, t.cls, DETAIL[t.detail], t.device === 'never' ? '—' : t.device, t.description]),
    ),
    'downlink-fields': fieldTable(DOWNLINK_FIELDS),
    'downlink-commands': table(['code', 'command', 'param', 'meaning'], DOWNLINK_COMMANDS.map((c) => [c.name === 'setting' ? `${hex2(SETTING_COMMAND_BASE + 1)}–${hex2(SETTING_COMMAND_BASE + SETTINGS.length)}` : c.code, `\`${c.name}\``, c.param, c.description])),
    settings: table(
      ['id', 'code', 'setting', 'range', 'on the wire', 'default', 'applies', 'meaning'],
      SETTINGS.map((s) => [s.id, hex2(SETTING_COMMAND_BASE + s.id), `\`${s.name}\``, s.unit === 'on/off' ? '0 = off, 1 = on' : `${fromWire(s, s.min)}–${fromWire(s, s.max)}${s.unit ? ' ' + s.unit : ''}`, s.divisor === 1 ? 'the value' : `value × ${s.divisor}`, s.default, s.applies, s.description]),
    ),
    'downlink-reserved': table(['codes', 'reserved for'], DOWNLINK_RESERVED.map((r) => [r.from === r.to ? hex2(r.from) : `${hex2(r.from)}–${hex2(r.to)}`, r.use])),
    'uplink-errors': table(['code', 'the uplink is rejected when'], UPLINK_ERRORS.map((e) => [`\`${e.code}\``, e.description])),
    'downlink-errors': table(['code', 'the downlink is rejected when'], DOWNLINK_ERRORS.map((e) => [`\`${e.code}\``, e.description])),
    'replay-verdicts': table(['verdict', 'receiver action'], REPLAY_VERDICTS.map((v) => [`\`${v.code}\``, v.description])),
    'ble-settings': settingsTable(BLE_SETTINGS),
    'lora-settings': settingsTable(LORA_SETTINGS),
    'lora-airtime': airtimeTable(),
    topics: table(
      ['topic', 'QoS', 'retain', 'payload', 'publishers', 'subscribers', 'meaning'],
      TOPICS.map((t) => [`\`${t.pattern}\``, t.qos, t.retain ? 'yes' : 'no', `\`${t.payload}\``, t.publishers.join(', '), t.subscribers.join(', '), t.description]),
    ),
    payloads: schemaSummary(),
    'alarm-types': table(['type', 'priority', 'kind', 'meaning'], ALARM_TYPES.map((a) => [`\`${a.name}\``, a.priority, a.kind, a.description])),
    'alarm-states': table(['values', 'of'], [[ALARM_STATES.map((x) => `\`${x}\``).join(', '), '`state`'], [RESOLUTION_REASONS.map((x) => `\`${x}\``).join(', '), '`resolution` (with a mandatory comment)']]),
  };
}

const BEGIN = (name: string): string => `<!-- generated:${name} (npx vigil frame spec --write) -->`;
const END = (name: string): string => `<!-- /generated:${name} -->`;

/**
 * Replaces the body of every generated block in `text`. `missing` lists sections SPEC.md lacks,
 * `unknown` lists blocks in the text that no table produces.
 */
export function fillSpec(text: string, sections: Record<string, string> = specSections()): { text: string; missing: string[]; unknown: string[] } {
  const seen = new Set<string>();
  const unknown: string[] = [];
  const out = text.replace(/<!-- generated:([\w-]+)[^>]*-->\n[\s\S]*?<!-- \/generated:\1 -->/g, (_m, name: string) => {
    const body = sections[name];
    if (body === undefined) {
      unknown.push(name);
      return _m;
    }
    seen.add(name);
    return `${BEGIN(name)}\n${body}\n${END(name)}`;
  });
  return { text: out, missing: Object.keys(sections).filter((n) => !seen.has(n)), unknown };
}

/** protocol/schemas/<name>.schema.json contents, by file name. */
export function exportedSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, schema] of Object.entries(PAYLOAD_SCHEMAS)) {
    const doc = { $schema: 'http://json-schema.org/draft-07/schema#', $id: `urn:vigil:v1:payload:${name}`, title: `Vigil MQTT payload '${name}' (protocol/SPEC.md §7)`, ...schema };
    out[`${name}.schema.json`] = JSON.stringify(doc, null, 2) + '\n';
  }
  return out;
}

/** The whole generated text, for `npx vigil frame spec`. */
export function specMarkdown(): string {
  return Object.entries(specSections())
    .map(([name, body]) => `### ${name}\n\n${body}\n`)
    .join('\n');
}
