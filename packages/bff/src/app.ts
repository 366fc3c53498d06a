import type { Fetch } from '@gatehouse/oidc-client';
import {
  createIdTokenVerifier,
  createProviderKeys,
  discoverProvider,
  type IdTokenVerifier,
  type ProviderMetadata,
} from '@gatehouse/oidc-client';
import {
  createSecurityEvents,
  createServer,
  createTracing,
  type LoggerOption,
  storeMetricsObserver,
  storeSpanObserver,
  traceFetch,
} from '@gatehouse/server-kit';
import { combineStoreObservers, observeStore, openStore, type Store } from '@gatehouse/store';
import type { TracerProvider } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { BffConfig } from './config/bff-config.js';
import type { BffContext } from './context.js';
import { LoginTransactions } from './login/login-transactions.js';
import { LogoutContinuations } from './logout/logout-continuations.js';
import { BffMetrics } from './metrics/bff-metrics.js';
import { OfflineGrants } from './offline/offline-grants.js';
import { ClientTokenCache } from './proxy/client-token.js';
import { registerProxy } from './proxy/register-proxy.js';
import { registerWebSocketProxy } from './proxy/websocket-proxy.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { enforceRouteGuards } from './request-guard/route-guard.js';
import { sendApiError } from './routes/api-error.js';
import { registerBackchannelLogout } from './routes/backchannel-logout.js';
import { registerCallback } from './routes/callback.js';
import { bffFailures } from './routes/failure-answers.js';
import { registerHealth } from './routes/health.js';
import { registerLogin } from './routes/login.js';
import { sendLoginFailed } from './routes/login-failed.js';
import { registerLogout } from './routes/logout.js';
import { registerOffline } from './routes/offline.js';
import { trackRouteTable } from './routes/route-table.js';
import { registerToken } from './routes/token.js';
import { registerUser } from './routes/user.js';
import { SessionStore } from './session/session-store.js';
import { createTokenCipher } from './session/token-cipher.js';
import { registerStatic } from './static/register-static.js';
import { bffSecurityEventCatalog } from './telemetry/security-events.js';
import { createUpstreamFetch, type UpstreamFetch } from './upstream/upstream-fetch.js';
import { UpstreamTokenCache } from './upstream/upstream-token-cache.js';

export interface BffDeps {
  /** Default: the store named by `config.store`, opened here and closed with the app. */
  store: Store;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now: () => number;
  /** Default: the global `fetch`. */
  fetch: Fetch;
  /** Default: discovered from `config.issuer` at start. */
  metadata: ProviderMetadata;
  verifyIdToken: IdTokenVerifier;
  /**
   * Where metrics go: the BFF's own, its HTTP requests' and its store's, in `metrics.registry`. Pass
   * one to expose it (see `BffMetrics.render`). Default: a private one.
   */
  metrics: BffMetrics;
  /**
   * `true`, pino options (a `stream` for tests), or `false` (default). Request logs carry the method
   * and path only: never a query string (the callback's has a code), a cookie or a token.
   */
  logger: LoggerOption;
  /**
   * Where spans go when `config.tracing.enabled`. Default: the global provider, a no-op until the
   * user registers one (`node --import ./tracing.js`). Unused while tracing is off.
   */
  tracerProvider: TracerProvider;
}

/**
 * Builds the BFF as a Fastify app: provider discovery first (a provider whose metadata names another
 * issuer stops the start), then the `/bff/*` endpoints. Each request gets an id (`X-Request-Id`, see
 * `@gatehouse/server-kit`). The caller listens and closes.
 *
 * @example
 * const app = await createBff(loadBffConfig(json));
 * await app.listen({ port: config.port });
 */
export async function createBff(config: Readonly<BffConfig>, deps: Partial<BffDeps> = {}): Promise<FastifyInstance> {
  // Off (the default): no span is made anywhere, and nothing is wrapped for it.
  const tracing = createTracing(config.tracing, { name: '@gatehouse/bff', provider: deps.tracerProvider });
  // Calls to the provider and upstream APIs get a CLIENT span and carry the trace to them.
  const fetchImpl = tracing ? traceFetch(deps.fetch ?? fetch, tracing) : (deps.fetch ?? fetch);
  const metadata = deps.metadata ?? (await discoverProvider(config.issuer, { fetch: fetchImpl }));
  const metrics = deps.metrics ?? new BffMetrics();
  const storeObserver = combineStoreObservers(
    storeMetricsObserver(metrics.registry),
    tracing && storeSpanObserver(tracing),
  );
  // A store handed in is observed as a whole; one opened here per backend (see openStore).
  const store = deps.store
    ? observeStore(deps.store, storeObserver)
    : await openStore(config.store, { observer: storeObserver, migrate: config.storeMigration });
  const cipher = createTokenCipher(config.tokenEncryptionKeys);
  // On the app's logger, which exists once the server is made below: events come from requests, after.
  const events = createSecurityEvents(bffSecurityEventCatalog, {
    info: (fields, message) => app.log.info(fields, message),
    warn: (fields, message) => app.log.warn(fields, message),
  });
  const providerKeys = createProviderKeys(metadata, fetchImpl);
  const context: BffContext = {
    config,
    store,
    metadata,
    fetch: fetchImpl,
    tracing,
    now: deps.now ?? Date.now,
    sessions: new SessionStore(store, cipher, {
      idleTimeoutSeconds: config.sessionIdleTimeoutSeconds,
      absoluteTimeoutSeconds: config.sessionAbsoluteTimeoutSeconds,
      cacheMs: config.sessionCacheMs,
      sharedCacheMs: config.sharedSessionCacheMs,
    }),
    logins: new LoginTransactions(store, cipher),
    rateLimiter: new RateLimiter(store, config.rateLimits, deps.now ?? Date.now, (limit, source) => {
      metrics.rateLimited(limit);
      events.emit('rate_limit_refused', { limit, source_address: source });
    }),
    logoutContinuations: new LogoutContinuations(store, cipher),
    offlineGrants: new OfflineGrants(store, cipher, {
      metadata,
      client: { clientId: config.clientId, clientSecret: config.clientSecret },
      fetch: fetchImpl,
      now: deps.now ?? Date.now,
      timeoutMs: config.refreshTimeoutMs,
    }),
    verifyIdToken:
      deps.verifyIdToken ??
      createIdTokenVerifier(metadata, providerKeys, {
        signingAlgorithm: config.idTokenSigningAlg,
        trustedAudiences: config.idTokenTrustedAudiences,
      }),
    metrics,
    events,
    clientTokens: new ClientTokenCache(
      metadata,
      { clientId: config.clientId, clientSecret: config.clientSecret },
      { fetch: fetchImpl, now: deps.now ?? Date.now, marginSeconds: config.refreshMarginSeconds },
    ),
    upstreamTokens: new UpstreamTokenCache({ now: deps.now ?? Date.now }),
    redirectUri: `${config.publicUrl}${config.prefix}/callback`,
    origin: new URL(config.publicUrl).origin,
    publicHost: new URL(config.publicUrl).host,
    publicProtocol: new URL(config.publicUrl).protocol.slice(0, -1),
  };

  const app = createServer({
    logger: deps.logger ?? false,
    failures: bffFailures(config.loginFailedPath),
    httpMetrics: { registry: metrics.registry, server: 'bff' },
    routerOptions: { maxParamLength: 512 },
    tracing,
    // request.ip (rate limits, the API's X-Forwarded-For) believes X-Forwarded-For only from these.
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
    // A URL the router cannot decode (`/%zz`, invalid UTF-8) never reaches a route: answer it in the
    // BFF's own shape, without Fastify's error code or the path echoed back.
    frameworkErrors: (_error, _request, reply) => sendApiError(reply, 400, 'malformed_path'),
  });
  await context.sessions.listenForChanges();
  // A session's upstream tokens go with it (logout, back-channel logout, a refused refresh).
  context.sessions.onEnd((sessionKey) => context.upstreamTokens.forget(sessionKey));
  app.addHook('onClose', async () => {
    await context.sessions.stopListening();
    if (!deps.store) await store.close();
  });

  app.addHook('onRequest', async (request) => {
    const cookie = request.headers.cookie;
    if (cookie) context.metrics.cookieHeader(Buffer.byteLength(cookie));
  });
  // Each route declares its guard (CSRF class, failure style, rate limit) with its registration;
  // it is enforced on the route the router matched, never by comparing the raw URL.
  enforceRouteGuards(app, {
    ownOrigin: context.origin,
    rateLimiter: context.rateLimiter,
    sendNavigationFailure: (reply, code) => sendLoginFailed(reply, config.loginFailedPath, code),
  });
  const routeTable = trackRouteTable(app, [config.prefix, ...config.routes.map((route) => route.path)]);

  registerHealth(app, context, providerKeys);
  const serveAppPage = await registerStatic(app, context);
  app.setNotFoundHandler((request, reply) => serveAppPage(request, reply) ?? sendApiError(reply, 404, 'no_such_route'));

  registerLogin(app, context);
  registerCallback(app, context);
  registerUser(app, context);
  registerLogout(app, context);
  registerBackchannelLogout(app, context, providerKeys);
  registerToken(app, context);
  registerOffline(app, context);
  await registerProxy(app, context);
  // Every route is in: each declared a guard, and a method a path does not serve gets 405 + Allow.
  routeTable.complete();
  // Server code acts for users who are away through the app: `app.offlineGrants.asUser(...)`.
  app.decorate('offlineGrants', context.offlineGrants);
  // ... and calls upstream providers' APIs for them: `app.upstreamFetch(sub, 'social', url)`.
  app.decorate('upstreamFetch', createUpstreamFetch(context));
  registerWebSocketProxy(app, context);
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The BFF's offline grants: `asUser(subject, scopes, fn)` for calls while the user is away. */
    offlineGrants: OfflineGrants;
    /**
     * Calls an upstream provider's API (below its `apiBaseUrl`) as a user who is not there, with the
     * user's upstream token obtained through their offline grant; throws `UpstreamCallError`.
     */
    upstreamFetch: UpstreamFetch;
  }
}
