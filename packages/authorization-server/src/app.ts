import {
  createMetricsRegistry,
  createServer,
  createTracing,
  type LoggerOption,
  type Registry,
  storeMetricsObserver,
  storeSpanObserver,
  traceFetch,
} from '@gatehouse/server-kit';
import { combineStoreObservers, observeStore, openStore, type Store } from '@gatehouse/store';
import type { TracerProvider } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { parseBodiesAsStrings } from './compose/body-parsing.js';
import { buildContext } from './compose/build-context.js';
import { ephemeralNamespaces } from './compose/ephemeral-namespaces.js';
import { authorizationServerFailures } from './compose/failure-answers.js';
import { registerHealth } from './compose/health.js';
import { RouteFailureStyles } from './compose/route-failure-styles.js';
import { answerUnroutedRequests } from './compose/unrouted-requests.js';
import type { AuthorizationServerConfig } from './config/as-config.js';
import { registerAccountPages } from './endpoints/account/register-account-pages.js';
import { registerAuthorize } from './endpoints/authorize/register-authorize.js';
import { registerDiscovery, registerJwks } from './endpoints/discovery.js';
import { registerEndSession } from './endpoints/end-session.js';
import { registerInteractionPages } from './endpoints/interaction-pages.js';
import { registerIntrospection } from './endpoints/introspection.js';
import { registerOneTimeCode } from './endpoints/one-time-code.js';
import { registerRevocation } from './endpoints/revocation.js';
import { registerToken } from './endpoints/token.js';
import { registerTokenCors } from './endpoints/token-cors.js';
import { registerUpstreamSignIn } from './endpoints/upstream-sign-in.js';
import { registerUserinfo } from './endpoints/userinfo.js';
import { RouteMethods } from './http/route-methods.js';
import type { UpstreamApi } from './services/upstreams/upstream-api.js';
import { stylesheet } from './views/stylesheet.js';

export { ephemeralNamespaces };

export interface AuthorizationServerDeps {
  /** Default: the store named by `config.store`, opened here and closed with the app. */
  store: Store;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now: () => number;
  /** For back-channel logout calls and upstream providers. Default: the global `fetch`. */
  fetch: typeof fetch;
  /**
   * `true`, pino options (a `stream` for tests), or `false` (default). Requests are logged by method
   * and path only — never a query string (it may hold an `id_token_hint`), a body, a cookie or a token.
   */
  logger: LoggerOption;
  /**
   * Where the app's metrics go (render it with `metricsRenderer` from `@gatehouse/server-kit`).
   * Default: a registry of this app's own.
   */
  metricsRegistry: Registry;
  /**
   * Where spans go when `config.tracing.enabled`. Default: the global provider, a no-op until the
   * user registers one (`node --import ./tracing.js`). Unused while tracing is off.
   */
  tracerProvider: TracerProvider;
}

/**
 * Builds the authorization server as a Fastify app: keys are loaded (or created on first start),
 * configured users seeded, then every endpoint registered under the issuer's path. Each request gets
 * an id (`X-Request-Id`, see `@gatehouse/server-kit`). The caller listens and closes.
 *
 * @example
 * const app = await createAuthorizationServer(loadAuthorizationServerConfig(json));
 * await app.listen({ port: 4000 });
 */
export async function createAuthorizationServer(
  config: Readonly<AuthorizationServerConfig>,
  deps: Partial<AuthorizationServerDeps> = {},
): Promise<FastifyInstance> {
  // One registry for the app's HTTP, store and domain metrics.
  const metricsRegistry = deps.metricsRegistry ?? createMetricsRegistry();
  // Tracing off (the default): no span is made anywhere, and nothing is wrapped for it.
  const tracing = createTracing(config.tracing, {
    name: '@gatehouse/authorization-server',
    provider: deps.tracerProvider,
  });
  const storeObserver = combineStoreObservers(
    storeMetricsObserver(metricsRegistry),
    tracing && storeSpanObserver(tracing),
  );
  // Back-channel logout and upstream calls get a CLIENT span and carry the trace to the callee.
  const fetchImpl = tracing ? traceFetch(deps.fetch ?? fetch, tracing) : (deps.fetch ?? fetch);
  // A store handed in is observed as a whole; one opened here per backend (see openStore).
  const store = deps.store
    ? observeStore(deps.store, storeObserver)
    : await openStore(config.store, {
        ephemeralNamespaces,
        observer: storeObserver,
        migrate: config.storeMigration,
      });
  // Both filled per app as its routes are added, never shared between apps in one process.
  const routeMethods = new RouteMethods();
  const failureStyles = new RouteFailureStyles();
  const app = createServer({
    logger: deps.logger ?? false,
    failures: authorizationServerFailures(failureStyles),
    httpMetrics: { registry: metricsRegistry, server: 'authorization-server' },
    routerOptions: { maxParamLength: 256 },
    tracing,
    // Only the configured proxies' X-Forwarded-For is believed (per-source rate limits use request.ip).
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
  });
  try {
    const context = await buildContext(
      config,
      store,
      deps.now ?? Date.now,
      fetchImpl,
      app.log,
      metricsRegistry,
      app.lifecycle,
    );
    app.addHook('onClose', async () => {
      // Bounded by what is left of the drain budget: a client's endpoint that never answers cannot
      // hold the stop (its delivery is abandoned, logged as unreachable).
      await context.backchannel.settled(app.lifecycle.drainSignal);
      await context.keys.close();
      if (!deps.store) await store.close();
    });
    parseBodiesAsStrings(app);
    answerUnroutedRequests(app, routeMethods, failureStyles);
    registerHealth(app, context);
    app.decorate('upstreams', context.upstreams.api);
    app.get('/assets/gatehouse.css', async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(stylesheet),
    );
    await app.register(
      async (scoped) => {
        // `route.url` includes the issuer's path (the prefix), as request URLs do.
        scoped.addHook('onRoute', (route) => {
          routeMethods.add(route.url, [route.method].flat());
          failureStyles.add(route.url, route.config?.failure);
        });
        registerDiscovery(scoped, context);
        registerJwks(scoped, context);
        registerAuthorize(scoped, context);
        registerInteractionPages(scoped, context);
        registerAccountPages(scoped, context);
        registerUpstreamSignIn(scoped, context);
        registerToken(scoped, context);
        registerOneTimeCode(scoped, context);
        registerTokenCors(scoped, context);
        registerUserinfo(scoped, context);
        registerRevocation(scoped, context);
        registerIntrospection(scoped, context);
        registerEndSession(scoped, context);
      },
      { prefix: context.basePath },
    );
    return app;
  } catch (error) {
    if (!deps.store) await store.close();
    throw error;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Server-side calls to upstream APIs as a user (see `UpstreamApi`). */
    upstreams: UpstreamApi;
  }
}
