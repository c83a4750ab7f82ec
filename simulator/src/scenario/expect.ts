/** A scenario's expectations, checked against the centre's HTTP API and the pendants' outputs. */
import type { Api, ApiAlarm } from './api';
import type { AlarmMatch, Expectation, Scenario } from './schema';
import type { ScenarioWorker } from './world';

export interface ExpectationResult {
  ok: boolean;
  what: string;
  detail: string;
}

function matches(a: ApiAlarm, m: AlarmMatch): boolean {
  return (m.worker === undefined || a.workerId === m.worker) && (m.type === undefined || a.type === m.type) && (m.state === undefined || a.state === m.state) && (m.zone === undefined || a.place?.zoneId === m.zone);
}

function describe(m: AlarmMatch): string {
  return [m.type ?? 'any', 'alarm', m.worker ? `of ${m.worker}` : '', m.state ? `in state ${m.state}` : '', m.zone ? `in zone ${m.zone}` : ''].filter(Boolean).join(' ');
}

function summary(alarms: ApiAlarm[]): string {
  return alarms.length === 0 ? 'no alarms' : alarms.map((a) => `${a.type}/${a.workerId ?? '-'}/${a.state}${a.place?.zoneId ? `/${a.place.zoneId}` : ''}`).join(', ');
}

export async function checkExpectations(s: Scenario, api: Api, workers: Map<string, ScenarioWorker>, startMs: number): Promise<ExpectationResult[]> {
  const alarms = await api.alarms();
  const out: ExpectationResult[] = [];
  for (const e of s.expect) out.push(await checkOne(e, alarms, api, workers, startMs));
  return out;
}

async function checkOne(e: Expectation, alarms: ApiAlarm[], api: Api, workers: Map<string, ScenarioWorker>, startMs: number): Promise<ExpectationResult> {
  if (e.alarm) {
    const found = alarms.filter((a) => matches(a, e.alarm!));
    const what = `${describe(e.alarm)}${e.withinS ? ` within ${e.withinS} s` : ''}`;
    if (found.length === 0) return { ok: false, what, detail: `found ${summary(alarms)}` };
    const at = (a: ApiAlarm): number => ((a.raisedAt ?? a.createdAt) - startMs) / 1000;
    const first = found.map(at).sort((x, y) => x - y)[0]!;
    if (e.withinS !== undefined && first > e.withinS) return { ok: false, what, detail: `first at ${first.toFixed(1)} s` };
    return { ok: true, what, detail: `at ${first.toFixed(1)} s` };
  }
  if (e.noAlarm) {
    const found = alarms.filter((a) => matches(a, e.noAlarm!));
    return { ok: found.length === 0, what: `no ${describe(e.noAlarm)}`, detail: found.length === 0 ? 'none' : `found ${summary(found)}` };
  }
  if (e.alarms !== undefined) {
    return { ok: alarms.length === e.alarms, what: `${e.alarms} alarm(s) in all`, detail: summary(alarms) };
  }
  if (e.timeline) {
    const what = `timeline of the ${describe(e.timeline)}: ${e.timeline.actions.join(' → ')}`;
    const alarm = alarms.find((a) => matches(a, e.timeline!));
    if (!alarm) return { ok: false, what, detail: `no such alarm (${summary(alarms)})` };
    const actions = await api.timeline(alarm.id);
    return { ok: JSON.stringify(actions) === JSON.stringify(e.timeline.actions), what, detail: actions.join(' → ') };
  }
  if (e.ingest) {
    const counters = await api.ingestCounters();
    const bad = Object.entries(e.ingest).filter(([k, r]) => (r.min !== undefined && (counters[k] ?? 0) < r.min) || (r.max !== undefined && (counters[k] ?? 0) > r.max));
    return { ok: bad.length === 0, what: `centre ingest counters ${JSON.stringify(e.ingest)}`, detail: JSON.stringify(counters) };
  }
  if (e.silent) {
    const w = workers.get(e.silent.worker);
    const shown = (w?.outputs ?? []).filter((o) => o.atMs - startMs >= e.silent!.fromS * 1000);
    return { ok: w !== undefined && shown.length === 0, what: `${e.silent.worker}'s pendant shows nothing from ${e.silent.fromS} s`, detail: shown.length === 0 ? 'nothing shown' : shown.slice(0, 5).map((o) => `${o.kind} ${o.what}`).join(', ') };
  }
  return { ok: false, what: 'empty expectation', detail: JSON.stringify(e) };
}
