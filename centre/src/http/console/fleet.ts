/**
 * The fleet and remote pendant settings (docs/centre.md "Pendant settings"): every pendant of the
 * user's scope with its firmware version and settings state; one pendant's settings, desired and in
 * force; and changing them — admins for every pendant, supervisors for those of their sites and teams.
 * The body's shape is checked here; each value against the pendant's own clamp by the settings
 * service, which refuses the whole change when one value is wrong.
 */
import type { FastifyInstance } from 'fastify';
import { SETTINGS } from '../../../../protocol/src';
import { scopeOf } from '../../auth/scope';
import { SettingsError } from '../../settings/service';
import { actorOf, type RouteContext } from '../context';
import { HttpError } from '../errors';
import { params } from '../openapi';

const ID = params({ id: 'Device id (8 hex digits)' });
const tags = ['devices'];
const MAY_CHANGE = ['admin', 'supervisor'] as const;

const SUMMARY = {
  type: 'object',
  description: 'firmware and settings hash the pendant reported (SPEC §2.4.4), and the state of its settings',
  properties: {
    firmware: { type: ['string', 'null'] }, settingsHash: { type: ['string', 'null'] }, reportedAt: { type: ['integer', 'null'] }, defaults: { type: 'boolean' },
    state: { enum: ['pending', 'applied', 'unmanaged', 'unknown'] }, pending: { type: 'integer' },
  },
};

const VIEW = {
  type: 'object',
  properties: {
    ...SUMMARY.properties,
    deviceId: { type: 'string' },
    settings: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' }, unit: { type: 'string' }, min: { type: 'number' }, max: { type: 'number' }, step: { type: 'number' }, default: { type: 'number' },
          applies: { enum: ['at once', 'next use'] }, description: { type: 'string' },
          desired: { type: ['number', 'null'], description: 'what the centre wants (null: not managed)' },
          reported: { type: ['number', 'null'], description: 'what the pendant acknowledged' },
          reportedAt: { type: ['integer', 'null'] },
          inForce: { type: ['number', 'null'], description: 'the value in force, when the reported hash proves it' },
          state: { enum: ['pending', 'applied', 'unmanaged'] },
        },
      },
    },
  },
};

/** `{settings: {name: value}}` in the pendant's units; null stops managing one (SPEC §4.2.1). */
const CHANGE = {
  type: 'object',
  additionalProperties: false,
  required: ['settings'],
  properties: {
    settings: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(SETTINGS.map((s) => [s.name, { type: ['number', 'boolean', 'null'], description: `${s.description} (${s.unit || 'level'})` }])),
    },
  },
};

export function fleetRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { store, settings } = ctx;

  app.get<{ Querystring: { siteId?: string } }>('/api/fleet', {
    config: { auth: 'any' },
    schema: {
      summary: 'Pendants (of your sites and teams) with their firmware version and settings state: pending, applied, as flashed, unknown', tags,
      querystring: { type: 'object', properties: { siteId: { type: 'string', description: 'Only this site' } } },
      response: { 200: { type: 'object', properties: { devices: { type: 'array', items: { type: 'object', properties: { settings: SUMMARY } } } } } },
    },
  }, async (req) => {
    const scope = await scopeOf(req, store);
    const devices = (await store.listDevices()).filter((d) => d.board !== 'phone' && scope.covers(d) && (!req.query.siteId || d.siteId === req.query.siteId));
    const summaries = await settings.summaries(devices.map((d) => d.id));
    return {
      devices: devices.map((d) => ({
        id: d.id, board: d.board, workerId: d.workerId, siteId: d.siteId, batteryPct: d.batteryPct, lastSeenAt: d.lastSeenAt, settings: summaries.get(d.id)!,
      })),
    };
  });

  app.get<{ Params: { id: string } }>('/api/devices/:id/settings', {
    config: { auth: 'any', visible: 'device' },
    schema: { summary: 'One pendant\'s settings: desired and acknowledged, in force when known, pending or applied; firmware and hash', tags, params: ID, response: { 200: VIEW } },
  }, async (req) => {
    if (req.found.device!.board === 'phone') throw new HttpError(404, 'not_found', `Unknown pendant '${req.params.id}'`);
    return settings.view(req.params.id);
  });

  app.put<{ Params: { id: string }; Body: { settings: Record<string, number | boolean | null> } }>('/api/devices/:id/settings', {
    config: { auth: MAY_CHANGE, visible: 'device' },
    schema: {
      summary: 'Change a pendant\'s settings over the air: values in the pendant\'s units within its clamps (else 400, nothing stored); null stops managing one. '
        + 'Sent one after the other as the pendant acknowledges them', tags, params: ID, body: CHANGE, response: { 200: VIEW },
    },
  }, async (req) => {
    try {
      await settings.change(req.params.id, req.body.settings, actorOf(req));
    } catch (e) {
      if (e instanceof SettingsError) throw new HttpError(e.code === 'invalid' ? 400 : 404, e.code, e.message);
      throw e;
    }
    ctx.devicesChanged(req.params.id);
    return settings.view(req.params.id);
  });
}
