/**
 * A registry file with customer organisations (issue 21 part 1): the organisations first, then every
 * record in the organisation it names, else its site's, else `default`; a reference to another
 * organisation's record is refused by its path, as an unknown record; importing again moves nothing.
 */
import { VirtualClock } from '../../common/clock';
import { importRegistry } from '../../centre/src/registry/import';
import { SqliteStore } from '../../centre/src/store/sqlite';

const FILE = {
  organisations: [{ id: 'acme', name: 'Acme' }, { id: 'blue', name: 'Blue' }],
  sites: [{ id: 'acme-hq', name: 'Acme HQ', organisationId: 'acme' }, { id: 'blue-hq', name: 'Blue HQ', organisationId: 'blue' }, { id: 'old', name: 'Old site' }],
  contacts: [{ id: 'acme-c', name: 'Ann', kind: 'supervisor', organisationId: 'acme' }, { id: 'blue-c', name: 'Bob', siteId: 'blue-hq' }],
  ladders: [{ id: 'acme-l', name: 'Acme', organisationId: 'acme', steps: [{ contactId: 'acme-c', channel: 'sms' }] }],
  workers: [{ id: 'acme-w', name: 'Al', siteId: 'acme-hq', ladderId: 'acme-l' }, { id: 'blue-w', name: 'Bea', siteId: 'blue-hq' }],
};

it('files every record of a registry file under its organisation', async () => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const ctx = { store, clock: new VirtualClock() };
  expect(await importRegistry(FILE, ctx)).toEqual({ ok: true, counts: { organisations: 2, sites: 3, contacts: 2, ladders: 1, workers: 2 } });
  const org = async (p: Promise<{ organisationId?: string } | undefined>) => (await p)?.organisationId;
  expect(await org(store.getSite('acme-hq'))).toBe('acme');
  expect(await org(store.getSite('old'))).toBe('default');
  expect(await org(store.getWorker('acme-w'))).toBe('acme');
  expect(await org(store.getWorker('blue-w'))).toBe('blue');
  expect(await org(store.getEntity('contact', 'blue-c'))).toBe('blue');
  expect(await org(store.getEntity('ladder', 'acme-l'))).toBe('acme');
  // once more, unchanged
  expect((await importRegistry(FILE, ctx)).ok).toBe(true);
  expect(await org(store.getWorker('blue-w'))).toBe('blue');
  // across organisations: unknown, by path
  const r = await importRegistry({
    workers: [{ id: 'sneak', name: 'S', siteId: 'acme-hq', organisationId: 'blue' }, { id: 'blue-w2', name: 'B', siteId: 'blue-hq', ladderId: 'acme-l' }],
    sites: [{ id: 'acme-hq', name: 'Moved', organisationId: 'blue' }],
  }, ctx);
  expect(r).toEqual({ ok: false, errors: [
    "sites[0]: site 'acme-hq' belongs to organisation 'acme': a record does not move to another organisation",
    "sites[0]: site 'acme-hq' belongs to organisation 'acme': a record does not move to another organisation",
    "workers[0]: Unknown site 'acme-hq'", "workers[1]: Unknown ladder 'acme-l'",
  ] });
  expect(await store.getWorker('sneak')).toBeUndefined();
  expect(await store.getSite('acme-hq')).toMatchObject({ name: 'Acme HQ', organisationId: 'acme' });
  await store.close();
});
