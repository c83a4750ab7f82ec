/**
 * `--report <dir>`: one self-contained HTML file with inline SVG plots (no scripts, no CDN): every
 * set (data set and position) side by side, then per set sensitivity/specificity against the
 * sensitivity setting, per-activity bars, breakdowns, and example traces of missed falls and false
 * alarms (|a| and the angle to the starting posture).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { trialRotation } from '../replay/orientation';
import { prepareTrial } from '../replay/prepare';
import { readManifest } from '../trace';
import type { EvalResult } from './evaluate';
import { describeRun, describeSwitchOn, describeValidation, isRecoverySet, pct } from './format';
import { setOf, verdict, type Rates, type SetMetrics, type TrialOutcome } from './score';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function sweepChart(r: EvalResult, set: string): string {
  if (!r.sweep) return '<p>No sweep (run with --sweep).</p>';
  const points = r.sweep.map((s) => ({ sens: s.sens, sensitivity: s.sets[set]?.sensitivity ?? null, specificity: s.sets[set]?.specificity ?? null }));
  const W = 420;
  const H = 220;
  const pad = 40;
  const vals = points.flatMap((s) => [s.sensitivity ?? 1, s.specificity ?? 1]);
  const lo = Math.max(0, Math.floor(Math.min(...vals) * 20) / 20);
  const x = (s: number): number => pad + ((s - 1) / 4) * (W - 2 * pad);
  const y = (v: number): number => H - pad + ((lo - v) / (1 - lo)) * (H - 2 * pad);
  const line = (key: 'sensitivity' | 'specificity', color: string): string =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((s) => `${x(s.sens)},${y(s[key] ?? 0)}`).join(' ')}"/>` +
    points.map((s) => `<circle cx="${x(s.sens)}" cy="${y(s[key] ?? 0)}" r="3" fill="${color}"><title>${key} at ${s.sens}: ${pct(s[key])}</title></circle>`).join('');
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * (1 - lo)).map((v) => `<line x1="${pad}" x2="${W - pad}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${pad - 4}" y="${y(v) + 4}" font-size="10" text-anchor="end">${(100 * v).toFixed(1)}</text>`).join('');
  const ticks = [1, 2, 3, 4, 5].map((s) => `<text x="${x(s)}" y="${H - pad + 16}" font-size="11" text-anchor="middle">${s}</text>`).join('');
  return `<svg width="${W}" height="${H}" role="img" aria-label="sensitivity and specificity against the sensitivity setting">${grid}${ticks}${line('sensitivity', '#1a7f37')}${line('specificity', '#cf222e')}
<text x="${W / 2}" y="${H - 6}" font-size="11" text-anchor="middle">sensitivity setting (sens)</text>
<text x="${W - pad}" y="14" font-size="11" text-anchor="end" fill="#1a7f37">sensitivity %</text><text x="${W - pad}" y="28" font-size="11" text-anchor="end" fill="#cf222e">specificity %</text></svg>`;
}

function activityBars(m: SetMetrics): string {
  const entries = Object.entries(m.byActivity);
  const rowH = 16;
  const W = 640;
  const barW = 360;
  const H = entries.length * rowH + 24;
  const bars = entries.map(([code, a], i) => {
    const yy = 10 + i * rowH;
    const color = a.isFall ? '#1a7f37' : '#cf222e';
    return `<text x="0" y="${yy + 11}" font-size="11">${code}</text><rect x="40" y="${yy}" width="${barW}" height="${rowH - 4}" fill="#f3f3f3"/>` +
      `<rect x="40" y="${yy}" width="${(barW * a.rate).toFixed(1)}" height="${rowH - 4}" fill="${color}"><title>${esc(a.description)}</title></rect>` +
      `<text x="${48 + barW}" y="${yy + 11}" font-size="11">${a.alarms}/${a.trials} ${pct(a.rate, 1)} — ${esc(a.description.slice(0, 40))}</text>`;
  });
  return `<svg width="${W}" height="${H}" role="img" aria-label="per-activity rates">${bars.join('')}</svg>
<p class="note">Green: falls, share detected in the window. Red: daily activities, share of trials with a false alarm.</p>`;
}

function ratesTable(title: string, rows: Record<string, Rates>): string {
  const body = Object.entries(rows).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v.trials}</td><td>${v.falls}</td><td>${pct(v.sensitivity)}</td><td>${v.adls}</td><td>${pct(v.specificity)}</td></tr>`).join('');
  return `<h3>${title}</h3><table><tr><th></th><th>trials</th><th>falls</th><th>sensitivity</th><th>ADLs</th><th>specificity</th></tr>${body}</table>`;
}

function traceSvg(r: EvalResult, o: TrialOutcome, manifestRows: Map<string, ReturnType<typeof readManifest>[number]>): string {
  const row = manifestRows.get(o.key);
  if (!row) return '';
  const t = prepareTrial(row, { rateHz: r.rateHz, rotation: trialRotation(row.dataset, r.rotateSeed ?? undefined, o.key), tailS: Math.min(r.tailS, 15) });
  const n = t.x.length;
  const W = 640;
  const H = 160;
  const dt = 1000 / r.rateHz;
  const totalMs = n * dt;
  const px = (ms: number): number => 30 + (ms / totalMs) * (W - 40);
  const maxG = 6;
  const pyA = (g: number): number => H - 20 - (Math.min(g, maxG) / maxG) * (H - 30);
  const pyDeg = (d: number): number => H - 20 - (d / 180) * (H - 30);
  const u = [t.x[0]!, t.y[0]!, t.z[0]!];
  const un = Math.hypot(u[0]!, u[1]!, u[2]!) || 1;
  const step = Math.max(1, Math.floor(n / 600));
  const mag: string[] = [];
  const ang: string[] = [];
  let gx = u[0]!;
  let gy = u[1]!;
  let gz = u[2]!;
  const k = 1 / (0.5 * r.rateHz);
  for (let i = 0; i < n; i++) {
    gx += (t.x[i]! - gx) * k;
    gy += (t.y[i]! - gy) * k;
    gz += (t.z[i]! - gz) * k;
    if (i % step !== 0) continue;
    mag.push(`${px(i * dt).toFixed(1)},${pyA(Math.hypot(t.x[i]!, t.y[i]!, t.z[i]!)).toFixed(1)}`);
    const c = (gx * u[0]! + gy * u[1]! + gz * u[2]!) / (Math.hypot(gx, gy, gz) * un || 1);
    ang.push(`${px(i * dt).toFixed(1)},${pyDeg((Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI).toFixed(1)}`);
  }
  const mark = (ms: number | null, color: string, label: string): string =>
    ms === null || ms > totalMs ? '' : `<line x1="${px(ms)}" x2="${px(ms)}" y1="5" y2="${H - 20}" stroke="${color}" stroke-dasharray="4 2"/><text x="${px(ms) + 3}" y="14" font-size="10" fill="${color}">${label}</text>`;
  const tailX = px(t.recordedSamples * dt);
  return `<figure><figcaption>${esc(o.key)} — ${esc(o.activity)} ${esc(o.description)} (${esc(o.subject)}, ${o.ageGroup}): <b>${verdict(o).replace('_', ' ')}</b>${o.alarmType ? `, ${o.alarmType} alarm at ${(o.alarmMs! / 1000).toFixed(1)} s` : ''}</figcaption>
<svg width="${W}" height="${H}" role="img"><rect x="${tailX}" y="5" width="${W - 10 - tailX}" height="${H - 25}" fill="#f6f8fa"/>
<polyline fill="none" stroke="#0969da" stroke-width="1" points="${mag.join(' ')}"/><polyline fill="none" stroke="#8250df" stroke-width="1" points="${ang.join(' ')}"/>
${o.isFall ? mark(o.peakMs, '#1a7f37', 'impact') : ''}${mark(o.alarmMs, '#cf222e', 'alarm')}
<text x="32" y="${H - 6}" font-size="10" fill="#0969da">|a| (0–6 g)</text><text x="110" y="${H - 6}" font-size="10" fill="#8250df">angle to start posture (0–180°)</text><text x="${tailX + 4}" y="${H - 24}" font-size="10" fill="#57606a">still tail</text></svg></figure>`;
}

function setTable(r: EvalResult): string {
  const cell = (name: string, m: SetMetrics): string =>
    `<tr><td>${esc(name)}</td><td>${m.trials}</td><td>${m.falls}</td><td><b>${isRecoverySet(name) ? `alarmed ${pct(m.falls > 0 ? m.detected / m.falls : null)}` : pct(m.sensitivity)}</b> (${m.detected}/${m.falls})</td>` +
    `<td>${m.adls}</td><td><b>${pct(m.specificity)}</b> (${m.falseAlarms})</td><td><b>${m.falseAlarmsPerHour?.toFixed(2) ?? '–'}</b> (${m.adlHours.toFixed(2)} h)</td>` +
    `<td>${m.latencyMsP50 === null ? '–' : (m.latencyMsP50 / 1000).toFixed(1)} / ${m.latencyMsP95 === null ? '–' : (m.latencyMsP95 / 1000).toFixed(1)} s</td></tr>`;
  return `<table class="big"><tr><th>set (data set, position)</th><th>trials</th><th>falls</th><th>sensitivity</th><th>ADLs</th><th>specificity (false alarms)</th><th>false alarms per hour of activity</th><th>latency p50 / p95</th></tr>${Object.entries(r.metrics.sets).map(([k, m]) => cell(k, m)).join('')}</table>`;
}

function setSection(r: EvalResult, name: string, m: SetMetrics, byKey: Map<string, ReturnType<typeof readManifest>[number]>): string {
  const inSet = r.outcomes.filter((o) => setOf(o) === name);
  const missedAll = inSet.filter((o) => o.isFall && verdict(o) !== 'detected');
  const fasAll = inSet.filter((o) => verdict(o) === 'false_alarm');
  const misses = missedAll.slice(0, 4);
  const fas = fasAll.slice(0, 4);
  return `<h2>${esc(name)}</h2>
${isRecoverySet(name) ? '<p class="note">Falls after which the wearer gets up again: the share alarmed is reported; it counts neither as detected nor as missed (docs/detection.md).</p>' : `<h3>Sensitivity setting</h3>${sweepChart(r, name)}`}
<h3>Per activity</h3>${activityBars(m)}
${Object.keys(m.byAgeGroup).length > 1 ? ratesTable('Age group', m.byAgeGroup) : ''}
<h3>${isRecoverySet(name) ? 'Not alarmed' : 'Missed falls'} (${missedAll.length}, first ${misses.length})</h3>${misses.map((o) => traceSvg(r, o, byKey)).join('') || '<p>None.</p>'}
<h3>False alarms (${fasAll.length}, first ${fas.length})</h3>${fas.map((o) => traceSvg(r, o, byKey)).join('') || '<p>None.</p>'}`;
}

export async function writeReport(r: EvalResult, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const byKey = new Map(readManifest(r.manifest).map((row) => [row.file.slice(resolve(r.manifest, '..').length + 1), row]));
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vigil detection report</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child{text-align:left}.big{font-size:16px}.note{color:#57606a;font-size:12px}figure{margin:1em 0}</style></head><body>
<h1>Vigil detection report</h1>
<p>${esc(r.manifest)}<br>${esc(describeRun(r))}<br>${esc(describeValidation(r))}; ${esc(describeSwitchOn(r))}; rotation ${r.rotateSeed === null ? 'none' : `random per trace, seed ${r.rotateSeed}`}; still tail ${r.tailS} s after every trial.</p>
<h2>Every data set and position on its own</h2>${setTable(r)}
<p class="note">Falls count when alarmed within −1 s…+30 s of the impact; false alarms per hour of recorded daily activity. Sets are never pooled: UMAFall's chest and waist are two sensors on the same trials.</p>
${Object.entries(r.metrics.sets).map(([k, m]) => setSection(r, k, m, byKey)).join('\n')}
<p class="note">Recorded falls: SisFall (Sucerquia, López, Vargas-Bonilla, Sensors 2017, 17(1), 198, doi:10.3390/s17010198); UMAFall (Casilari, Santoyo-Ramón, Cano-García, Procedia Computer Science 110 (2017) 32–39, doi:10.6084/m9.figshare.4214283); FallAllD (Saleh, Abbas, Le Bouquin Jeannès, IEEE Sensors Journal 21(2), 2021, doi:10.21227/bnya-mn34). Run time ${(r.runtimeMs / 1000).toFixed(1)} s.</p>
</body></html>`;
  const file = join(dir, 'index.html');
  await writeFile(file, html);
  return file;
}
