/** What admins do: customer organisations, the registry, devices, users, the worker app's logins and pairing links, and one person's data (export, erasure). */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context';
import { appLoginRoutes } from './app-logins';
import { deviceRoutes } from './devices';
import { organisationRoutes } from './organisations';
import { peopleRoutes } from './people';
import { registryRoutes } from './registry';
import { userRoutes } from './users';

export function adminRoutes(app: FastifyInstance, ctx: RouteContext): void {
  registryRoutes(app, ctx);
  deviceRoutes(app, ctx);
  userRoutes(app, ctx);
  appLoginRoutes(app, ctx);
  peopleRoutes(app, ctx);
  organisationRoutes(app, ctx);
}
