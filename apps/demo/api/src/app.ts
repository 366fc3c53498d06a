import {
  corsHook,
  createCorsPolicy,
  createRequestVerifier,
  decoratePrincipal,
  requireToken,
} from '@gatehouse/resource-server';
import { openStore, type Store } from '@gatehouse/store';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DemoApiConfig } from './config.js';
import { registerProfileAndPosts } from './routes/profile-and-posts.js';
import { registerTodos } from './routes/todos.js';
import { registerWeather } from './routes/weather.js';

export interface DemoApiDeps {
  /** Default: the store named by `config.store`, closed with the app. */
  store: Store;
  fetch: typeof fetch;
  now: () => number;
}

/**
 * The API the demo SPA calls, protected by `@gatehouse/resource-server`: every route needs an access
 * token with the `api` scope, every body is checked by a schema (400 with a message), and data lives
 * in the store, per user.
 */
export async function buildDemoApi(
  config: Readonly<DemoApiConfig>,
  deps: Partial<DemoApiDeps> = {},
): Promise<FastifyInstance> {
  const store = deps.store ?? (await openStore(config.store));
  const verifier = createRequestVerifier({
    issuer: config.issuer,
    audience: config.audience,
    realm: 'demo-api',
    fetch: deps.fetch,
    now: deps.now,
  });
  // Strict bodies: an unknown field or a wrong type is a 400, not silently dropped or coerced.
  const app = Fastify({
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  decoratePrincipal(app);
  if (config.corsOrigins.length > 0) {
    app.addHook(
      'onRequest',
      corsHook(
        createCorsPolicy({
          origins: config.corsOrigins,
          allowedHeaders: ['authorization', 'content-type', 'x-custom-header'],
          exposedHeaders: ['x-custom-header'],
        }),
      ),
    );
  }
  app.addHook('onClose', async () => {
    if (!deps.store) await store.close();
  });
  app.setErrorHandler((error, _request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) return reply.code(500).send({ error: 'server_error', message: 'something went wrong' });
    return reply
      .code(status)
      .send({ error: status === 403 ? 'forbidden' : 'invalid_request', message: (error as Error).message });
  });
  const guard = { preHandler: requireToken(verifier, { allOf: ['api'] }) };
  registerWeather(app, guard);
  registerTodos(app, store, guard);
  registerProfileAndPosts(app, store, guard);
  return app;
}
