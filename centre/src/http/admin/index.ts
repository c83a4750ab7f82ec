/** What admins do: the registry, devices, users, and the worker app's logins and pairing links. */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context';
import { appLoginRoutes } from './app-logins';
import { deviceRoutes } from './devices';
import { registryRoutes } from './registry';
import { userRoutes } from './users';

export function adminRoutes(app: FastifyInstance, ctx: RouteContext): void {
  registryRoutes(app, ctx);
  deviceRoutes(app, ctx);
  userRoutes(app, ctx);
  appLoginRoutes(app, ctx);
}
