/**
 * A registry file (YAML) applied to the store: customer organisations, sites, contacts, ladders, workers, zones, beacons,
 * gateways and wired inputs, in the order their references need. Every record is validated first and
 * every error reported by its path (`contacts[2].email: …`) before anything is written; then records
 * are upserted one by one through RegistryAdmin (references checked, audited as `cli`). Safe to run
 * while the centre runs: it notices the registry version change within its poll period.
 */
import { check, pathSegment } from '../../../common/schema';
import { RegistryAdmin } from './admin';
import { REGISTRY_SCHEMAS, type RegistrySchemaName } from './schemas';
import type { Clock } from '../../../common/clock';
import type { Store } from '../store/types';

export interface RegistryFile {
  organisations?: unknown[];
  sites?: unknown[];
  teams?: unknown[];
  contacts?: unknown[];
  ladders?: unknown[];
  workers?: unknown[];
  zones?: unknown[];
  beacons?: unknown[];
  gateways?: unknown[];
  inputs?: unknown[];
}

const SECTIONS: [keyof RegistryFile, RegistrySchemaName][] = [
  ['organisations', 'organisation'], ['sites', 'site'], ['teams', 'team'], ['contacts', 'contact'], ['ladders', 'ladder'], ['workers', 'worker'], ['zones', 'zone'], ['beacons', 'beacon'], ['gateways', 'gateway'], ['inputs', 'input'],
];

export type ImportResult = { ok: true; counts: Record<string, number> } | { ok: false; errors: string[] };

export async function importRegistry(file: unknown, ctx: { store: Store; clock: Clock; actor?: string }): Promise<ImportResult> {
  if (!file || typeof file !== 'object' || Array.isArray(file)) return { ok: false, errors: ['(root): must be a mapping of sections (organisations, sites, teams, contacts, ladders, workers, zones, beacons, gateways, inputs)'] };
  const f = file as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(f)) if (!SECTIONS.some(([s]) => s === key)) errors.push(`${pathSegment(key)}: is not a known section`);
  for (const [section, schema] of SECTIONS) {
    const list = f[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      errors.push(`${section}: must be a list`);
      continue;
    }
    list.forEach((rec, i) => {
      const v = check(REGISTRY_SCHEMAS[schema], structuredClone(rec));
      if (!v.ok) errors.push(...v.errors.map((e) => `${section}[${i}]${e.startsWith('(root)') ? e.slice(6) : `.${e}`}`));
    });
  }
  if (errors.length) return { ok: false, errors };

  const admin = new RegistryAdmin(ctx);
  const actor = ctx.actor ?? 'cli';
  const counts: Record<string, number> = {};
  const apply = async (section: keyof RegistryFile, i: number, r: { ok: boolean; message?: string }): Promise<void> => {
    if (r.ok) counts[section] = (counts[section] ?? 0) + 1;
    else errors.push(`${section}[${i}]: ${r.message ?? 'refused'}`);
  };
  const list = (s: keyof RegistryFile): Record<string, unknown>[] => (f[s] as Record<string, unknown>[] | undefined) ?? [];
  // Organisations first: every other record may name its own (`organisationId`; absent = its site's, else `default`).
  for (const [i, o] of list('organisations').entries()) {
    const known = await ctx.store.getOrganisation(String(o['id']));
    const org = { id: String(o['id']), name: String(o['name']), createdAt: known?.createdAt ?? ctx.clock.now() };
    await ctx.store.putOrganisation(org, { at: ctx.clock.now(), actor, action: known ? 'organisation_changed' : 'organisation_created', entity: 'organisation', entityId: org.id });
    await apply('organisations', i, { ok: true });
  }
  // Sites first without their ladder (contacts and ladders refer to sites), then again with it.
  for (const [i, s] of list('sites').entries()) {
    const r = await admin.putSite({ ...s, ladderId: null }, actor);
    if (!r.ok) await apply('sites', i, r);
  }
  for (const [i, c] of list('contacts').entries()) await apply('contacts', i, await admin.put('contact', c, actor));
  for (const [i, l] of list('ladders').entries()) await apply('ladders', i, await admin.put('ladder', l, actor));
  for (const [i, s] of list('sites').entries()) await apply('sites', i, await admin.putSite(s, actor));
  for (const [i, t] of list('teams').entries()) await apply('teams', i, await admin.put('team', t, actor));
  for (const [i, w] of list('workers').entries()) await apply('workers', i, await admin.putWorker(w, actor));
  for (const [i, z] of list('zones').entries()) await apply('zones', i, await admin.put('zone', z, actor));
  for (const [i, b] of list('beacons').entries()) await apply('beacons', i, await admin.put('beacon', b, actor));
  for (const [i, g] of list('gateways').entries()) await apply('gateways', i, await admin.putGateway(g, actor));
  for (const [i, n] of list('inputs').entries()) await apply('inputs', i, await admin.put('input', n, actor));
  // Counted in the file's section order.
  const ordered = Object.fromEntries(SECTIONS.filter(([k]) => counts[k] !== undefined).map(([k]) => [k, counts[k]!]));
  return errors.length ? { ok: false, errors } : { ok: true, counts: ordered };
}
