import { openStore, type Store, StoreClosedError, StoreError, StoreUnavailableError } from '@gatehouse/store';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';

type PinoOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

import type { Fetch } from '@gatehouse/oidc-client';
import {
  createIdTokenVerifier,
  createProviderKeys,
  discoverProvider,
  type IdTokenVerifier,
  type ProviderMetadata,
  ProviderUnavailableError,
  TokenEndpointError,
} from '@gatehouse/oidc-client';
import type { BffConfig } from './config/bff-config.js';
import type { BffContext } from './context.js';
import { LoginTransactions } from './login/login-transactions.js';
import { LogoutContinuations } from './logout/logout-continuations.js';
import { BffMetrics } from './metrics/bff-metrics.js';
import { OfflineGrants } from './offline/offline-grants.js';
import { ClientTokenCache } from './proxy/client-token.js';
import { registerProxy } from './proxy/register-proxy.js';
import { RequestBodyTooLargeError } from './proxy/request-body-limit.js';
import { registerWebSocketProxy } from './proxy/websocket-proxy.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { enforceRouteGuards, routeGuardOf } from './request-guard/route-guard.js';
import { sendApiError } from './routes/api-error.js';
import { registerBackchannelLogout } from './routes/backchannel-logout.js';
import { registerCallback } from './routes/callback.js';
import { registerLogin } from './routes/login.js';
import { sendLoginFailed } from './routes/login-failed.js';
import { registerLogout } from './routes/logout.js';
import { registerOffline } from './routes/offline.js';
import { trackRouteTable } from './routes/route-table.js';
import { registerToken } from './routes/token.js';
import { registerUser } from './routes/user.js';
import { serializeClearedSessionCookie } from './session/session-cookie.js';
import { SessionExpiredError, SessionStore } from './session/session-store.js';
import { createTokenCipher } from './session/token-cipher.js';
import { registerStatic } from './static/register-static.js';
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
  /** Where counters go; pass one to expose it (see `BffMetrics.render`). Default: a private one. */
  metrics: BffMetrics;
  /**
   * `true`, pino options (a `stream` for tests), or `false` (default). Request logs carry the method
   * and path only: never a query string (the callback's has a code), a cookie or a token.
   */
  logger: boolean | PinoOptions;
}

/**
 * Builds the BFF as a Fastify app: provider discovery first (a provider whose metadata names another
 * issuer stops the start), then the `/bff/*` endpoints. The caller listens and closes.
 *
 * @example
 * const app = await createBff(loadBffConfig(json));
 * await app.listen({ port: config.port });
 */
export async function createBff(config: Readonly<BffConfig>, deps: Partial<BffDeps> = {}): Promise<FastifyInstance> {
  const fetchImpl = deps.fetch ?? fetch;
  const metadata = deps.metadata ?? (await discoverProvider(config.issuer, { fetch: fetchImpl }));
  const store = deps.store ?? (await openStore(config.store));
  const cipher = createTokenCipher(config.tokenEncryptionKeys);
  const providerKeys = createProviderKeys(metadata, fetchImpl);
  const context: BffContext = {
    config,
    store,
    metadata,
    fetch: fetchImpl,
    now: deps.now ?? Date.now,
    sessions: new SessionStore(store, cipher, {
      idleTimeoutSeconds: config.sessionIdleTimeoutSeconds,
      absoluteTimeoutSeconds: config.sessionAbsoluteTimeoutSeconds,
      cacheMs: config.sessionCacheMs,
      sharedCacheMs: config.sharedSessionCacheMs,
    }),
    logins: new LoginTransactions(store, cipher),
    rateLimiter: new RateLimiter(store, config.rateLimits, deps.now ?? Date.now),
    logoutContinuations: new LogoutContinuations(store, cipher),
    offlineGrants: new OfflineGrants(store, cipher, {
      metadata,
      client: { clientId: config.clientId, clientSecret: config.clientSecret },
      fetch: fetchImpl,
      now: deps.now ?? Date.now,
    }),
    verifyIdToken:
      deps.verifyIdToken ??
      createIdTokenVerifier(metadata, providerKeys, {
        signingAlgorithm: config.idTokenSigningAlg,
        trustedAudiences: config.idTokenTrustedAudiences,
      }),
    metrics: deps.metrics ?? new BffMetrics(),
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

  const app = Fastify({
    logger: deps.logger ? { ...(deps.logger === true ? {} : deps.logger), serializers: safeSerializers } : false,
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 512 },
    requestTimeout: 30_000,
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

  app.setErrorHandler((error, request, reply) => {
    // Sign-in navigations end on the SPA's login-failed route, like any other failed login, never
    // on a JSON body in the address bar.
    if (routeGuardOf(request)?.failureStyle === 'navigation') {
      const unavailable =
        error instanceof StoreUnavailableError ||
        error instanceof StoreClosedError ||
        error instanceof ProviderUnavailableError;
      if (!unavailable) request.log.error({ err: { type: (error as Error).name } }, 'login navigation failed');
      return sendLoginFailed(reply, config.loginFailedPath, unavailable ? 'temporarily_unavailable' : 'server_error');
    }
    // A proxied body over maxRequestBodyBytes; the connection closes rather than read the rest.
    if (error instanceof RequestBodyTooLargeError) {
      return sendApiError(reply.header('connection', 'close'), 413, 'request_body_too_large');
    }
    // A session whose tokens can no longer be opened (its key rotated out) was ended where that was found.
    if (error instanceof SessionExpiredError) {
      return sendApiError(reply.header('set-cookie', serializeClearedSessionCookie()), 401, 'session_expired');
    }
    // Store down (or closing for shutdown): fail closed, no session accepted.
    if (error instanceof StoreUnavailableError || error instanceof StoreClosedError) {
      return sendApiError(reply, 503, 'store_unavailable');
    }
    // The provider down or refusing the BFF itself (not the user): a gateway failure, not a sign-out.
    if (error instanceof ProviderUnavailableError) return sendApiError(reply, 502, 'provider_unavailable');
    if (error instanceof TokenEndpointError) {
      request.log.warn({ oauthError: error.oauthError, status: error.status }, 'token request refused');
      return sendApiError(reply, 502, 'token_request_failed');
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply
        .code(status)
        .header('cache-control', 'no-store')
        .send({ error: 'invalid_request', reason: 'malformed_request' });
    }
    request.log.error(
      { err: { type: error instanceof StoreError ? error.name : (error as Error).name } },
      'unexpected error',
    );
    return reply.code(500).header('cache-control', 'no-store').send({ error: 'server_error', reason: 'unexpected' });
  });
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

/** Log a request by method and path, a response by status: nothing that could hold a secret. */
const safeSerializers = {
  req: (request: { method?: string; url?: string }) => ({
    method: request.method,
    path: request.url?.split('?', 1)[0],
  }),
  res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
};

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
