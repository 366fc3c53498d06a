import {
  openStore,
  RateLimiter,
  rateLimitNamespaces,
  type Store,
  StoreClosedError,
  StoreError,
  StoreInputError,
  StoreUnavailableError,
} from '@gatehouse/store';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { AuthorizationServerConfig } from './config/as-config.js';
import type { AsContext, EndpointUrls } from './context.js';
import { registerAccountPages } from './endpoints/account-pages.js';
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
import { sendErrorPage } from './http/error-page-reply.js';
import { sendOAuthError } from './http/oauth-reply.js';
import { RouteMethods } from './http/route-methods.js';
import { CookieSigner } from './primitives/cookies.js';
import { CsrfTokens } from './primitives/csrf-tokens.js';
import { createSealer } from './primitives/sealing.js';
import { InvalidRequestError, OAuthError, PageError, TemporarilyUnavailableError } from './protocol/errors.js';
import { BackchannelLogout } from './services/logout/backchannel-logout.js';
import { idTokenAlg, type SigningAlg } from './protocol/signing-algorithms.js';
import { UpstreamApi } from './services/upstreams/upstream-api.js';
import { UpstreamProviders } from './services/upstreams/upstream-providers.js';
import { UpstreamTokens } from './services/upstreams/upstream-tokens.js';
import { AccountLinks } from './stores/account-links.js';
import { AccountStore } from './stores/account-store.js';
import { ClientRegistry } from './stores/client-registry.js';
import { Consents } from './stores/consents.js';
import { GrantStore } from './stores/grant-store.js';
import { Interactions } from './stores/interactions.js';
import { KeyRing } from './stores/key-ring.js';
import { LoginThrottle, loginThrottleNamespaces } from './stores/login-throttle.js';
import { ProviderSessions } from './stores/provider-sessions.js';
import { RefreshTokens } from './stores/refresh-tokens.js';
import { UpstreamTransactions } from './stores/upstream-transactions.js';
import { stylesheet } from './views/stylesheet.js';

type PinoOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

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
  logger: boolean | PinoOptions;
}

/**
 * Namespaces that hold short-lived state; with a `{ durable, ephemeral }` store they go to the
 * ephemeral one (Redis), the rest (accounts, clients, keys, grants, refresh tokens) to the durable one.
 */
export const ephemeralNamespaces = [
  'codes',
  'code-grants',
  'interactions',
  'provider-sessions',
  'access-tokens',
  'revoked-access-tokens',
  'client-assertions',
  ...loginThrottleNamespaces,
  ...rateLimitNamespaces,
  'one-time-codes',
  'one-time-codes-issued',
  'upstream-transactions',
];

/**
 * Builds the authorization server as a Fastify app: keys are loaded (or created on first start),
 * configured users seeded, then every endpoint registered under the issuer's path. The caller listens
 * and closes.
 *
 * @example
 * const app = await createAuthorizationServer(loadAuthorizationServerConfig(json));
 * await app.listen({ port: 4000 });
 */
export async function createAuthorizationServer(
  config: Readonly<AuthorizationServerConfig>,
  deps: Partial<AuthorizationServerDeps> = {},
): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const store = deps.store ?? (await openStore(config.store, { ephemeralNamespaces }));
  // Router errors (a malformed or oversized path segment) go through the same mapping as the rest.
  let handleError: ErrorHandler = (_error, _request, reply) => reply.code(400).send();
  const routeMethods = new RouteMethods();
  const app = Fastify({
    frameworkErrors: (error, request, reply) => handleError(error, request, reply),
    logger: deps.logger ? { ...(deps.logger === true ? {} : deps.logger), serializers: safeSerializers } : false,
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 256 },
    requestTimeout: 30_000,
    // Only the configured proxies' X-Forwarded-For is believed (per-source rate limits use request.ip).
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
  });
  try {
    const context = await buildContext(config, store, now, deps.fetch ?? fetch, app);
    app.addHook('onClose', async () => {
      await context.backchannel.settled();
      if (!deps.store) await store.close();
    });
    configureParsing(app);
    handleError = configureErrors(app, context, routeMethods);
    app.decorate('upstreams', context.upstreams.api);
    const base = context.basePath;
    app.get('/assets/gatehouse.css', async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(stylesheet),
    );
    await app.register(
      async (scoped) => {
        scoped.addHook('onRoute', (route) => {
          routeMethods.add(`${base}${route.url}`, [route.method].flat());
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
      { prefix: base },
    );
    return app;
  } catch (error) {
    if (!deps.store) await store.close();
    throw error;
  }
}

async function buildContext(
  config: Readonly<AuthorizationServerConfig>,
  store: Store,
  now: () => number,
  fetchImpl: typeof fetch,
  app: FastifyInstance,
): Promise<AsContext> {
  const issuer = new URL(config.issuer);
  const basePath = issuer.pathname === '/' ? '' : issuer.pathname;
  const url = (path: string) => `${config.issuer}${path}`;
  const urls: EndpointUrls = {
    authorization: url('/authorize'),
    token: url('/token'),
    userinfo: url('/userinfo'),
    jwks: url('/jwks'),
    revocation: url('/revoke'),
    introspection: url('/introspect'),
    endSession: url('/logout'),
    registration: url('/register'),
    profile: url('/profile'),
  };
  const signer = new CookieSigner(config.cookieSecrets);
  const algs: SigningAlg[] = [config.accessTokenSigningAlg, idTokenAlg];
  const keys = new KeyRing(store, createSealer(config.cookieSecrets, 'signing-keys'), algs, now);
  await keys.initialize();
  const clients = new ClientRegistry(config.clients, store, now, config.cookieSecrets);
  const accounts = new AccountStore(store, now);
  const rateLimiter = new RateLimiter(store, now);
  const upstreamProviders = new UpstreamProviders(config.upstreams, fetchImpl, now);
  const upstreamLinks = new AccountLinks(store, now);
  const upstreamTokens = new UpstreamTokens(
    store,
    createSealer(config.cookieSecrets, 'upstream-tokens'),
    upstreamProviders,
    fetchImpl,
    now,
  );
  for (const user of config.users) {
    if (!(await accounts.findByEmail(user.email))) {
      await accounts.create({ email: user.email, password: user.password, name: user.name, emailVerified: true });
    }
  }
  return {
    config,
    store,
    now,
    urls,
    basePath,
    keys,
    clients,
    clientAuth: {
      clients,
      store,
      rateLimiter,
      issuer: config.issuer,
      tokenEndpoint: urls.token,
      now,
      limits: {
        failuresPerClient: config.rateLimits.clientAuthFailuresPerClient,
        windowSeconds: config.rateLimits.windowSeconds,
      },
    },
    accounts,
    rateLimiter,
    limits: {
      registration: {
        name: 'registration',
        limit: config.rateLimits.registrationsPerIp,
        windowSeconds: config.rateLimits.windowSeconds,
      },
    },
    throttle: new LoginThrottle(store, rateLimiter, config.rateLimits, now),
    sessions: new ProviderSessions(store, signer, config.sessionTtl, now),
    consents: new Consents(store),
    csrf: new CsrfTokens(signer),
    grants: new GrantStore(store, now),
    refreshTokens: new RefreshTokens(store, createSealer(config.cookieSecrets, 'refresh-successor'), {
      graceSeconds: config.refreshGraceSeconds,
      now,
    }),
    signer,
    backchannel: new BackchannelLogout({
      issuer: config.issuer,
      keys,
      clients,
      now,
      fetch: fetchImpl,
      timeoutMs: config.backchannelLogoutTimeoutMs,
      log: app.log,
    }),
    interactions: new Interactions(store),
    fetch: fetchImpl,
    upstreams: {
      providers: upstreamProviders,
      links: upstreamLinks,
      tokens: upstreamTokens,
      transactions: new UpstreamTransactions(store),
      api: new UpstreamApi(upstreamProviders, upstreamTokens, upstreamLinks, fetchImpl),
    },
    log: app.log,
  };
}

/** Form bodies and anything else arrive as strings; endpoints parse them strictly (see `Params`). */
function configureParsing(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
}

/** Paths whose errors are JSON (OAuth endpoints); the rest are pages. */
const jsonEndpoints = ['/token', '/revoke', '/introspect', '/userinfo', '/one-time-code', '/jwks', '/.well-known/'];

type ErrorHandler = (error: Error, request: FastifyRequest, reply: FastifyReply) => FastifyReply;

/** Maps every failure to the endpoint's own answer (OAuth JSON or an HTML page); returns the mapping. */
function configureErrors(app: FastifyInstance, context: AsContext, routeMethods: RouteMethods): ErrorHandler {
  const isJson = (request: FastifyRequest) => {
    const path = (request.url.split('?', 1)[0] as string).slice(context.basePath.length);
    return jsonEndpoints.some((endpoint) => path === endpoint || (endpoint.endsWith('/') && path.startsWith(endpoint)));
  };
  const fail = (request: FastifyRequest, reply: FastifyReply, error: OAuthError) =>
    isJson(request)
      ? sendOAuthError(reply, error)
      : sendErrorPage(
          reply,
          error.status,
          error.status === 503 ? 'Temporarily unavailable' : 'Invalid request',
          error.description,
          error.code,
        );

  const handle: ErrorHandler = (error, request, reply) => {
    if (error instanceof PageError) return sendErrorPage(reply, error.status, error.title, error.message, error.code);
    if (error instanceof OAuthError) return fail(request, reply, error);
    // Store down (or closing): fail closed — nothing issued, no session accepted.
    if (error instanceof StoreUnavailableError || error instanceof StoreClosedError) {
      request.log.warn({ err: { type: error.name } }, 'store unavailable');
      reply.header('retry-after', '5');
      return fail(request, reply, new TemporarilyUnavailableError('the service is temporarily unavailable; try again'));
    }
    // The store refused a key or value built from the request (a control character, an over-long
    // id): the request is malformed, whatever path let it through the parameter checks.
    if (error instanceof StoreInputError) {
      request.log.info({ err: { type: error.name } }, 'store refused request input');
      return fail(request, reply, new InvalidRequestError('the request is malformed'));
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const description = status === 413 ? 'the request body is too large' : 'the request is malformed';
      return fail(request, reply, new OAuthError('invalid_request', status, description));
    }
    request.log.error(
      { err: { type: error instanceof StoreError ? error.name : (error as Error).name } },
      'unexpected error',
    );
    return fail(request, reply, new OAuthError('server_error', 500, 'the request could not be completed'));
  };
  app.setErrorHandler(handle);

  app.setNotFoundHandler((request, reply) => {
    const allowed = routeMethods.allowFor(request.url);
    if (allowed) {
      reply.header('allow', allowed);
      return fail(request, reply, new OAuthError('invalid_request', 405, `use ${allowed}`));
    }
    return isJson(request)
      ? reply.code(404).send({ error: 'not_found' })
      : sendErrorPage(reply, 404, 'Page not found', 'There is no page at this address.');
  });
  return handle;
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
    /** Server-side calls to upstream APIs as a user (see `UpstreamApi`). */
    upstreams: UpstreamApi;
  }
}
