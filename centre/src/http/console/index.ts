/** The console's routes: what operators, supervisors and read-only users see and do. */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context';
import { alarmRoutes } from './alarms';
import { fleetRoutes } from './fleet';
import { overviewRoutes } from './overview';
import { mapRoutes } from './map';
import { planRoutes } from './plans';
import { pushRoutes } from './push';
import { sessionRoutes } from './sessions';
import { streamRoutes } from './stream';

export function consoleRoutes(app: FastifyInstance, ctx: RouteContext): void {
  alarmRoutes(app, ctx);
  overviewRoutes(app, ctx);
  streamRoutes(app, ctx);
  sessionRoutes(app, ctx);
  planRoutes(app, ctx);
  fleetRoutes(app, ctx);
  mapRoutes(app, ctx);
  pushRoutes(app, ctx);
}
