/**
 * The integration status of an ARC link (docs/arc.md §7), from its paths and its queue: ok only when
 * no path is down and no event is refused or set aside.
 */
import type { ArcPath, PathState } from './path';

export interface LinkStatus {
  ok: boolean;
  detail: string;
  paths: Record<string, { state: PathState; detail?: string }>;
  queued: number;
  /** Queued events a receiver refused, waiting out their back-off. */
  refused: number;
  rejected: number;
}

export function describeLink(s: { stopped: boolean; paths: readonly ArcPath[]; queued: number; refused: number; rejected: number }): LinkStatus {
  const paths = Object.fromEntries(s.paths.map((p) => [p.name, p.detail === undefined ? { state: p.state } : { state: p.state, detail: p.detail }]));
  const down = s.paths.filter((p) => p.state === 'down');
  const up = s.paths.filter((p) => p.state === 'up');
  const parts = down.map((p) => `${p.name} down (${p.detail ?? 'no answer'})`);
  if (down.length === s.paths.length) parts.push('no path to the receiver: alarms are kept and sent when one comes back');
  else if (down.length > 0) parts.push(`sending via ${(up.length ? up : s.paths.filter((p) => p.state !== 'down')).map((p) => p.name).join(', ')}`);
  if (s.refused > 0) parts.push(`${s.refused} event(s) refused by the receiver, tried again with back-off while later alarms go on`);
  if (s.rejected > 0) parts.push(`${s.rejected} event(s) refused by the receiver (see npx vigil arc rejected)`);
  const ok = !s.stopped && down.length === 0 && s.refused === 0 && s.rejected === 0;
  const detail = ok ? `${up.length}/${s.paths.length} path(s) up` : s.stopped ? 'ARC output stopped' : parts.join('; ');
  return { ok, detail, paths, queued: s.queued, refused: s.refused, rejected: s.rejected };
}
