// What the admin pages edit: for each kind of record, its API, its list columns and its form fields.
// A field: { name, label key, type: text|select|number|steps|scope|password, options(): [value, label][] }.
// `centre: true` (a section or a field): for the centre's own staff only — customer organisations, and
// which organisation a new record belongs to (an organisation's admin always creates in theirs).
import { t } from '../dom.js';

const none = () => [['', '—']];
const ids = (list) => (list || []).map((r) => [r.id, r.name || r.id]);
/** The organisation of a new record: empty = the organisation of its site, else the default one. */
const organisation = (c) => ({ name: 'organisationId', type: 'select', createOnly: true, centre: true, options: () => [['', t('admin.organisationOfSite')], ...ids(c.organisations)] });

export const SECTIONS = {
  workers: {
    path: '/api/workers', list: 'workers', title: 'admin.workers',
    columns: ['name', 'phone', 'siteId', 'teamId'],
    fields: (c) => [organisation(c), 
      { name: 'id', type: 'text', key: true }, { name: 'name', type: 'text', required: true }, { name: 'phone', type: 'text', placeholder: '+44 7700 900123' },
      { name: 'siteId', type: 'select', options: () => [...none(), ...ids(c.sites)] }, { name: 'teamId', type: 'select', options: () => [...none(), ...ids(c.teams)] },
      { name: 'ladderId', type: 'select', options: () => [...none(), ...ids(c.ladders)] },
      { name: 'language', type: 'select', options: () => [...none(), ...Object.entries(VigilI18n.LANGUAGES)] },
    ],
  },
  devices: {
    path: '/api/devices', list: 'devices', title: 'admin.devices',
    columns: ['id', 'board', 'workerId', 'siteId', 'batteryPct'],
    fields: (c) => [organisation(c), 
      { name: 'id', type: 'text', key: true, readonly: true }, { name: 'board', type: 'select', createOnly: true, options: () => ['puckjs', 'bangle2', 'lora', 'phone'].map((b) => [b, b]) },
      { name: 'workerId', type: 'select', options: () => [...none(), ...ids(c.workers)] }, { name: 'siteId', type: 'select', options: () => [...none(), ...ids(c.sites)] },
    ],
  },
  sites: {
    path: '/api/sites', list: 'sites', title: 'admin.sites', columns: ['id', 'name', 'ladderId'],
    fields: (c) => [organisation(c), 
      { name: 'id', type: 'text', key: true }, { name: 'name', type: 'text', required: true }, { name: 'ladderId', type: 'select', options: () => [...none(), ...ids(c.ladders)] },
      { name: 'timeZone', type: 'text', placeholder: 'Europe/Paris' },
    ],
  },
  teams: {
    path: '/api/teams', list: 'teams', title: 'admin.teams', columns: ['id', 'name', 'siteId'],
    fields: (c) => [organisation(c), { name: 'id', type: 'text', key: true }, { name: 'name', type: 'text', required: true }, { name: 'siteId', type: 'select', options: () => [...none(), ...ids(c.sites)] }],
  },
  zones: {
    path: '/api/zones', list: 'zones', title: 'admin.zones', columns: ['id', 'name', 'siteId', 'floor'],
    fields: (c) => [organisation(c), 
      { name: 'id', type: 'text', key: true }, { name: 'name', type: 'text', required: true }, { name: 'siteId', type: 'select', required: true, options: () => ids(c.sites) },
      { name: 'floor', type: 'text' }, { name: 'x', type: 'number' }, { name: 'y', type: 'number' }, { name: 'w', type: 'number' }, { name: 'h', type: 'number' },
      { name: 'lat', type: 'number' }, { name: 'lon', type: 'number' },
    ],
  },
  beacons: {
    path: '/api/beacons', list: 'beacons', title: 'admin.beacons', columns: ['id', 'name', 'siteId', 'zoneId'],
    fields: (c) => [organisation(c), 
      { name: 'id', type: 'text', key: true }, { name: 'name', type: 'text' }, { name: 'siteId', type: 'select', required: true, options: () => ids(c.sites) },
      { name: 'zoneId', type: 'select', options: () => [...none(), ...ids(c.zones)] },
    ],
  },
  contacts: {
    path: '/api/contacts', list: 'contacts', title: 'admin.contacts', columns: ['name', 'kind', 'phone', 'email'],
    fields: (c) => [organisation(c), 
      { name: 'id', type: 'text', key: true }, { name: 'name', type: 'text', required: true },
      { name: 'kind', type: 'select', options: () => ['person', 'supervisor', 'monitoring_centre', 'police'].map((k) => [k, t('contactKind.' + k)]) },
      { name: 'siteId', type: 'select', options: () => [...none(), ...ids(c.sites)] }, { name: 'phone', type: 'text' }, { name: 'email', type: 'text' },
      { name: 'webhookUrl', type: 'text' }, { name: 'language', type: 'select', options: () => [...none(), ...Object.entries(VigilI18n.LANGUAGES)] },
    ],
  },
  ladders: {
    path: '/api/ladders', list: 'ladders', title: 'admin.ladders', columns: ['id', 'name'],
    fields: (c) => [organisation(c), { name: 'id', type: 'text', key: true }, { name: 'name', type: 'text', required: true }, { name: 'steps', type: 'steps', options: () => [['@worker', t('admin.theWorker')], ...ids(c.contacts)] }],
  },
  users: {
    path: '/api/users', list: 'users', title: 'admin.users', columns: ['username', 'name', 'role'],
    fields: (c) => [
      { name: 'organisationId', type: 'select', createOnly: true, centre: true, options: () => [['', t('admin.centreStaff')], ...ids(c.organisations)] },
      { name: 'username', type: 'text', key: true, required: true }, { name: 'name', type: 'text' }, { name: 'password', type: 'password', createOnly: true },
      { name: 'role', type: 'select', options: () => ['admin', 'supervisor', 'operator', 'readonly', 'auditor'].map((r) => [r, t('role.' + r)]) },
      { name: 'scope', type: 'scope', options: () => ({ sites: ids(c.sites), teams: ids(c.teams) }) },
    ],
  },
  organisations: {
    path: '/api/organisations', list: 'organisations', title: 'admin.organisations', columns: ['id', 'name', 'createdAt'], centre: true,
    fields: () => [{ name: 'id', type: 'text', key: true, required: true }, { name: 'name', type: 'text', required: true }],
  },
};
