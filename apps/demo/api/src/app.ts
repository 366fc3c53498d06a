import { corsHook, createCorsPolicy, createRequestVerifier, resourceServer } from '@gatehouse/resource-server';
import {
  attachLifecycle,
  createTracing,
  registerHealthRoutes,
  shuttingDownRetryAfterSeconds,
  storeSpanObserver,
  type TracingOptions,
  traceRequests,
} from '@gatehouse/server-kit';
import { observeStore, openStore, type Store } from '@gatehouse/store';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DemoApiConfig } from './config.js';
import { frameworkErrorOptions, registerErrorReplies } from './error-replies.js';
import { registerProfileAndPosts } from './routes/profile-and-posts.js';
import { registerScheduledPosts } from './routes/scheduled-posts.js';
import { registerTodos } from './routes/todos.js';
import { registerWeather } from './routes/weather.js';

export interface DemoApiDeps {
  /** Default: the store named by `config.store`, closed with the app. */
  store: Store;
  fetch: typeof fetch;
  now: () => number;
  /** Where spans go when `config.tracing.enabled`. Default: the global tracer provider. */
  tracerProvider: TracingOptions['provider'];
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
  const tracing = createTracing(config.tracing, { name: '@gatehouse/demo-api', provider: deps.tracerProvider });
  const openedStore = deps.store ?? (await openStore(config.store));
  const store = tracing ? observeStore(openedStore, storeSpanObserver(tracing)) : openedStore;
  const verifier = createRequestVerifier({
    issuer: config.issuer,
    audience: config.audience,
    realm: 'demo-api',
    appsecretProof: config.appsecretProof,
    fetch: deps.fetch,
    now: deps.now,
  });
  const now = deps.now ?? Date.now;
  // Strict bodies: an unknown field or a wrong type is a 400, not silently dropped or coerced.
  const app = Fastify({
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // Late requests during a stop get the demo's own error body (below), not Fastify's.
    return503OnClosing: false,
    ...frameworkErrorOptions,
  });
  // First, so the span covers every other hook.
  if (tracing) traceRequests(app, tracing);
  // `/healthz` and `/readyz` (the store answers), and a stop that does not wait for kept-alive clients.
  attachLifecycle(app, {
    refuse: (_request, reply) =>
      reply
        .code(503)
        .header('retry-after', String(shuttingDownRetryAfterSeconds))
        .send({ error: 'unavailable', message: 'the server is shutting down; try again' }),
  });
  app.lifecycle.addReadinessCheck('store', () => store.ping());
  registerHealthRoutes(app, { exposed: true, routeConfig: { isPublic: true } });
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
  // Before any route: the 405 answer learns each route's methods as it is added.
  registerErrorReplies(app);
  // Every route below needs a token with the `api` scope, checked before the body is read.
  await app.register(resourceServer, { verifier, scopes: { allOf: ['api'] } });
  registerWeather(app);
  registerTodos(app, store, now);
  registerProfileAndPosts(app, store, now);
  registerScheduledPosts(app, store, now);
  return app;
}
