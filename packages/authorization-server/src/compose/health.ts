import { registerHealthRoutes, sendJsonError } from '@gatehouse/server-kit';
import type { FastifyInstance } from 'fastify';
import type { AsContext } from '../context.js';
import { idTokenAlg, type SigningAlg } from '../protocol/signing-algorithms.js';

/**
 * `/readyz`'s checks for the authorization server — `store` (a ping) and `signing_keys` (each
 * algorithm in use has a key that signs now, opened with the configured secrets) — and the health
 * routes at the root of the listener, outside the issuer's path: on the public listener, or reserved
 * (404) when `health.listener` is `metrics`.
 */
export function registerHealth(app: FastifyInstance, context: Pick<AsContext, 'config' | 'store' | 'keys'>): void {
  const { config, store, keys } = context;
  const algs = [...new Set<SigningAlg>([config.accessTokenSigningAlg, idTokenAlg])];
  app.lifecycle.addReadinessCheck('store', () => store.ping());
  app.lifecycle.addReadinessCheck('signing_keys', () => Promise.all(algs.map((alg) => keys.signingKey(alg))));
  registerHealthRoutes(app, {
    exposed: config.health.listener === 'public',
    // JSON like the answers of the paths themselves, as an OAuth error (RFC 6749 §5.2 shape).
    methodNotAllowed: (_request, reply) =>
      sendJsonError(reply, 405, { error: 'invalid_request', error_description: 'use GET or HEAD' }),
  });
}
