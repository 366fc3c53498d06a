import type { ProviderKeys } from '@gatehouse/oidc-client';
import { registerHealthRoutes } from '@gatehouse/server-kit';
import type { FastifyInstance } from 'fastify';
import type { BffContext } from '../context.js';
import { sendApiError } from './api-error.js';

/**
 * `/readyz`'s checks for the BFF — `store` (a ping), `provider_discovery` (the provider's metadata,
 * fetched before the BFF starts, so it holds once the app exists) and `provider_keys` (its JWKS,
 * fetched on the first check if no ID token needed it yet) — and the health routes at the root: exact
 * routes, so they win over the SPA's static files, and outside `prefix`, so no CSRF rule or rate limit
 * applies. When `health.listener` is `metrics`, the paths answer the BFF's JSON 404.
 */
export function registerHealth(
  app: FastifyInstance,
  context: Pick<BffContext, 'config' | 'store' | 'metadata'>,
  providerKeys: ProviderKeys,
): void {
  app.lifecycle.addReadinessCheck('store', () => context.store.ping());
  app.lifecycle.addReadinessCheck('provider_discovery', async () => context.metadata);
  app.lifecycle.addReadinessCheck('provider_keys', () => providerKeys.ensureLoaded());
  registerHealthRoutes(app, {
    exposed: context.config.health.listener === 'public',
    hidden: (_request, reply) => sendApiError(reply, 404, 'no_such_route'),
    methodNotAllowed: (_request, reply) => sendApiError(reply, 405, 'method_not_allowed'),
  });
}
