/**
 * Scenario files (simulator/scenarios/*.yaml, docs/simulator.md): a site with gateways, workers
 * with pendants, a script of what happens when, and what the centre's API must show afterwards.
 * Validated once; every error is reported by path.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { check, type JsonSchema } from '../../../common/schema';

export type Activity = 'walk' | 'stand' | 'lie' | 'replay';

export interface ScriptStep {
  /** Seconds from the start of the scenario. */
  at: number;
  worker?: string;
  do: 'walk' | 'stand' | 'lie' | 'replay' | 'press' | 'hold' | 'taps' | 'move' | 'battery' | 'acknowledge' | 'resolve' | 'power_off';
  /** replay: a trial file relative to the falls manifest (e.g. SisFall/SA01/F01_R01.csv.gz). */
  trial?: string;
  /** hold: seconds the button is held. */
  s?: number;
  /** taps: how many. */
  count?: number;
  /** move: where to, over how long. */
  x?: number;
  y?: number;
  overS?: number;
  /** battery: the level to reach (linearly over overS). */
  pct?: number;
  /** acknowledge / resolve: the alarm type of the worker's open alarm. */
  type?: string;
  comment?: string;
}

export interface AlarmMatch {
  worker?: string;
  type?: string;
  state?: string;
  /** The zone the centre placed the alarm in (from the pendant's beacon scan). */
  zone?: string;
}

export interface Expectation {
  /** An alarm matching exists; optionally raised (or created) within withinS of the start. */
  alarm?: AlarmMatch;
  withinS?: number;
  /** No alarm matches. */
  noAlarm?: AlarmMatch;
  /** Exactly this many alarms in all (any state). */
  alarms?: number;
  /** The audit timeline of the matching alarm lists these actions in order. */
  timeline?: AlarmMatch & { actions: string[] };
  /** Centre ingest counters (GET /api/health), e.g. {uplinks_duplicate: {min: 1}}. */
  ingest?: Record<string, { min?: number; max?: number }>;
  /** The worker's pendant showed nothing (no LED, buzz or screen) from `fromS` on. */
  silent?: { worker: string; fromS: number };
}

export interface WorkerSpec {
  id: string;
  name: string;
  phone?: string;
  board: 'puckjs' | 'bangle2' | 'lora';
  x: number;
  y: number;
  batteryPct: number;
  /** Extra pendant settings (vigil.json, docs/firmware.md). */
  settings: Record<string, unknown>;
  /** What the worker does when the script says nothing: walk (a recorded walk, looped) or stand. */
  idle: 'walk' | 'stand';
}

/**
 * A zone of the site (centre registry) with an iBeacon on the virtual air, so pendants scanning for
 * beacons report where they are and the centre names the place (docs/simulator.md).
 */
export interface ZoneSpec {
  id: string;
  name: string;
  floor: string;
  /** The zone's rectangle on the site plan, metres. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** The beacon: its iBeacon major/minor and where it stands on the air's map, metres. */
  beacon: { major: number; minor: number; x: number; y: number };
}

export interface Scenario {
  name: string;
  description: string;
  durationS: number;
  site: { id: string; name: string };
  zones: ZoneSpec[];
  gateways: { id: string; x: number; y: number }[];
  workers: WorkerSpec[];
  script: ScriptStep[];
  expect: Expectation[];
}

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' };
const match = { type: 'object', additionalProperties: false, properties: { worker: { type: 'string' }, type: { type: 'string' }, state: { type: 'string' }, zone: { type: 'string' } } };

export const SCENARIO_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'durationS', 'gateways', 'workers', 'script', 'expect'],
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string', default: '' },
    durationS: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
    site: { type: 'object', additionalProperties: false, required: ['id', 'name'], properties: { id, name: { type: 'string' } }, default: { id: 'site-1', name: 'Site 1' } },
    zones: {
      type: 'array', default: [],
      items: {
        type: 'object', additionalProperties: false, required: ['id', 'name', 'x', 'y', 'w', 'h', 'beacon'],
        properties: {
          id, name: { type: 'string', minLength: 1 }, floor: { type: 'string', default: '0' },
          x: { type: 'number' }, y: { type: 'number' }, w: { type: 'number', exclusiveMinimum: 0 }, h: { type: 'number', exclusiveMinimum: 0 },
          beacon: {
            type: 'object', additionalProperties: false, required: ['major', 'minor', 'x', 'y'],
            properties: { major: { type: 'integer', minimum: 0, maximum: 65535 }, minor: { type: 'integer', minimum: 0, maximum: 65535 }, x: { type: 'number' }, y: { type: 'number' } },
          },
        },
      },
    },
    gateways: {
      type: 'array', minItems: 1,
      items: { type: 'object', additionalProperties: false, required: ['id', 'x', 'y'], properties: { id, x: { type: 'number' }, y: { type: 'number' } } },
    },
    workers: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', additionalProperties: false, required: ['id', 'name', 'x', 'y'],
        properties: {
          id, name: { type: 'string', minLength: 1 }, phone: { type: 'string' },
          board: { enum: ['puckjs', 'bangle2', 'lora'], default: 'puckjs' },
          x: { type: 'number' }, y: { type: 'number' },
          batteryPct: { type: 'number', minimum: 0, maximum: 100, default: 90 },
          settings: { type: 'object', default: {} },
          idle: { enum: ['walk', 'stand'], default: 'walk' },
        },
      },
    },
    script: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['at', 'do'],
        properties: {
          at: { type: 'number', minimum: 0 }, worker: { type: 'string' },
          do: { enum: ['walk', 'stand', 'lie', 'replay', 'press', 'hold', 'taps', 'move', 'battery', 'acknowledge', 'resolve', 'power_off'] },
          trial: { type: 'string' }, s: { type: 'number', exclusiveMinimum: 0, maximum: 60 }, count: { type: 'integer', minimum: 1, maximum: 10 },
          x: { type: 'number' }, y: { type: 'number' }, overS: { type: 'number', minimum: 0 }, pct: { type: 'number', minimum: 0, maximum: 100 },
          type: { type: 'string' }, comment: { type: 'string' },
        },
      },
    },
    expect: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', additionalProperties: false,
        properties: {
          alarm: match, withinS: { type: 'number', exclusiveMinimum: 0 }, noAlarm: match, alarms: { type: 'integer', minimum: 0 },
          timeline: { type: 'object', additionalProperties: false, required: ['actions'], properties: { ...match.properties, actions: { type: 'array', items: { type: 'string' } } } },
          ingest: { type: 'object', additionalProperties: { type: 'object', additionalProperties: false, properties: { min: { type: 'number' }, max: { type: 'number' } } } },
          silent: { type: 'object', additionalProperties: false, required: ['worker', 'fromS'], properties: { worker: { type: 'string' }, fromS: { type: 'number', minimum: 0 } } },
        },
      },
    },
  },
};

/** Parses and validates a scenario; throws one error listing every problem by path. */
export function parseScenario(text: string, source: string): Scenario {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid YAML: ${(e as Error).message}`);
  }
  const r = check<Scenario>(SCENARIO_SCHEMA, doc);
  const errors = r.ok ? [] : r.errors;
  if (r.ok) {
    const workers = new Set(r.value.workers.map((w) => w.id));
    const needsWorker = new Set(['walk', 'stand', 'lie', 'replay', 'press', 'hold', 'taps', 'move', 'battery', 'acknowledge', 'resolve', 'power_off']);
    r.value.script.forEach((s, i) => {
      if (needsWorker.has(s.do) && (s.worker === undefined || !workers.has(s.worker))) errors.push(`script.${i}.worker: '${s.worker ?? ''}' is not a worker of this scenario`);
      if (s.do === 'replay' && !s.trial) errors.push(`script.${i}.trial: is required for replay`);
      if (s.do === 'move' && (s.x === undefined || s.y === undefined)) errors.push(`script.${i}: move needs x and y`);
      if (s.do === 'battery' && s.pct === undefined) errors.push(`script.${i}.pct: is required for battery`);
      if ((s.do === 'acknowledge' || s.do === 'resolve') && !s.type) errors.push(`script.${i}.type: is required for ${s.do}`);
      if (s.at > r.value.durationS) errors.push(`script.${i}.at: ${s.at} s is after the end (durationS ${r.value.durationS})`);
    });
    const beacons = new Set<number>();
    r.value.zones.forEach((z, i) => {
      const b = z.beacon.major * 65536 + z.beacon.minor;
      if (beacons.has(b)) errors.push(`zones.${i}.beacon: major ${z.beacon.major} minor ${z.beacon.minor} appears twice`);
      beacons.add(b);
    });
    const gw = new Set<string>();
    r.value.gateways.forEach((g, i) => {
      if (gw.has(g.id)) errors.push(`gateways.${i}.id: '${g.id}' appears twice`);
      gw.add(g.id);
    });
  }
  if (errors.length > 0) throw new Error(`Invalid scenario ${source}:\n  - ${errors.join('\n  - ')}`);
  return (r as { ok: true; value: Scenario }).value;
}

export function loadScenario(file: string): Scenario {
  return parseScenario(readFileSync(file, 'utf8'), file);
}
