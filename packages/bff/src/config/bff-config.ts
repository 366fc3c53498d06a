import { ConfigError, isLoopbackHost, parseConfig, secretString } from '@gatehouse/config';
import { allowedAlgorithms, defaultSigningAlgorithm, isBelowApiBase } from '@gatehouse/oidc-client';
import {
  checkOpsConfig,
  healthConfigSchema,
  healthPaths,
  metricsListenerConfigSchema,
  shutdownConfigSchema,
  tracingConfigSchema,
} from '@gatehouse/server-kit';
import { type Static, Type } from '@sinclair/typebox';

/** An upstream's name, as the authorization server knows it (`upstreams[].name` there). */
const upstreamNamePattern = '^[a-z][a-z0-9-]{0,31}$';
/** A route's `token: "upstream:<name>"`. */
export const upstreamTokenPrefix = 'upstream:';

const routeSchema = Type.Object(
  {
    path: Type.String({
      pattern: "^/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$",
      maxLength: 256,
      description: 'a local path prefix',
    }),
    target: Type.String({ pattern: '^https?://[^\\s]+$', description: 'the API base URL requests are sent to' }),
    /**
     * The token sent upstream: `user` (the session's access token), `client` (the BFF's own, client
     * credentials), `none`, or `upstream:<name>` (the user's token at that upstream provider, obtained
     * from the authorization server by token exchange; `<name>` must be one of `upstreams`). Default `user`.
     */
    token: Type.Union(
      [
        Type.Literal('user'),
        Type.Literal('client'),
        Type.Literal('none'),
        Type.Unsafe<`upstream:${string}`>(Type.String({ pattern: `^upstream:${upstreamNamePattern.slice(1)}` })),
      ],
      { default: 'user', description: 'the token sent: user, client (the BFF’s own), none or upstream:<name>' },
    ),
    scopes: Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }), {
      default: [],
      description: 'scopes of a narrower token for this route; none on upstream routes',
    }),
    methods: Type.Optional(
      Type.Array(Type.Union(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => Type.Literal(m))), {
        minItems: 1,
        description: 'allowed methods; all when omitted',
      }),
    ),
    appsecretProof: Type.Boolean({
      default: false,
      description: 'send an appsecret-proof header with the token; not on upstream routes',
    }),
  },
  { additionalProperties: false },
);

/** One per-source rate limit: at most `limit` requests from one address per `windowSeconds`. */
function rateLimitSchema(limit: number, what: string, description: string) {
  return Type.Object(
    {
      limit: Type.Integer({ minimum: 1, maximum: 1_000_000, default: limit, description: `${what} per source` }),
      windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 60, description: 'the window of the limit' }),
    },
    { additionalProperties: false, default: {}, description },
  );
}

/**
 * An upstream provider the user signs in with at the authorization server ("Continue with …"), whose
 * API the BFF calls with the user's upstream token (routes with `token: "upstream:<name>"`,
 * `app.upstreamFetch`). The BFF must be registered at the authorization server with the
 * token-exchange grant and `upstream_tokens: ["<name>"]`.
 */
const upstreamSchema = Type.Object(
  {
    /** The upstream's `name` at the authorization server: lowercase letters, digits and dashes. */
    name: Type.String({ pattern: upstreamNamePattern, description: 'the upstream’s name at the authorization server' }),
    /**
     * Base URL of the upstream's API: upstream routes' `target` and `upstreamFetch` URLs must lie
     * below it (same origin, path under its path). https, plain http only on loopback. Default none:
     * routes are not checked, and `upstreamFetch` refuses every URL.
     */
    apiBaseUrl: Type.Optional(
      Type.String({ pattern: '^https?://[^\\s?#]+$', description: 'the upstream API’s base URL, without query' }),
    ),
    /**
     * Let the SPA fetch the user's upstream token from `GET /bff/token?upstream=<name>` (with
     * `tokenMediating.enabled`). Risky: any script in the page can then use it against that API for
     * its lifetime. Default false: the token never leaves the server.
     */
    exposeTokenToBrowser: Type.Boolean({ default: false, description: 'serve the upstream token to the SPA' }),
  },
  { additionalProperties: false },
);

/** The BFF's configuration; every field has a documented default unless it must come from you. */
export const bffConfigSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'port to listen on' }),
    host: Type.String({
      minLength: 1,
      default: '127.0.0.1',
      description: 'address to listen on; 0.0.0.0 in a container',
    }),
    /**
     * Proxies in front of the BFF whose `X-Forwarded-For` is believed (addresses or CIDR ranges), so
     * per-source rate limits count the browser's address, not the proxy's (behind a proxy that is not
     * listed, every browser shares the proxy's limit). Default none: the connection's peer address.
     */
    trustedProxies: Type.Array(Type.String({ pattern: '^[0-9a-fA-F:.]+(/\\d{1,3})?$' }), {
      default: [],
      description: 'proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed',
    }),
    publicUrl: Type.String({
      pattern: '^https?://[^/?#\\s]+$',
      description: 'the origin browsers use, without a path',
    }),
    issuer: Type.String({ pattern: '^https?://[^\\s]+$', description: 'the OpenID provider’s issuer URL' }),
    clientId: Type.String({ minLength: 1, maxLength: 255, description: 'the BFF’s client id at the provider' }),
    clientSecret: secretString({ minLength: 16, description: 'the BFF’s client secret (at least 16 characters)' }),
    scopes: Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }), {
      default: ['openid', 'profile', 'email', 'offline_access'],
      description: 'the scopes asked for at sign-in',
    }),
    // The allow-list for incremental consent: a page can make the BFF ask for these and no others.
    optionalScopes: Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }), {
      default: [],
      description: 'further scopes the SPA may ask for later with /bff/login?scope= (incremental consent)',
    }),
    // A secret: a store URL may carry a password.
    store: secretString({
      pattern: '^(memory|sqlite:.+|rediss?://.+|postgres(ql)?://.+)$',
      default: 'sqlite:.gatehouse/bff.db',
      description: 'memory, sqlite:PATH, redis://… or postgres://…',
    }),
    /**
     * What a start does to the store's schema: `auto` applies missing migrations (development, one
     * instance); `check` changes nothing and refuses a store that `gatehouse store migrate` has not
     * brought up to date (a rolling upgrade: migrate once, then replace instances). Both refuse a
     * schema newer than this Gatehouse. Default `auto`.
     */
    storeMigration: Type.Union([Type.Literal('auto'), Type.Literal('check')], {
      default: 'auto',
      description:
        'auto: apply missing store migrations at start; check: only refuse a store not migrated by gatehouse store migrate',
    }),
    tokenEncryptionKeys: Type.Array(secretString({ pattern: '^[A-Za-z0-9_-]{43}$' }), {
      minItems: 1,
      description: '32-byte keys in base64url; the first encrypts, any decrypts',
    }),
    /**
     * The algorithm the provider signs this client's ID tokens and back-channel logout tokens with:
     * the BFF's registered `id_token_signed_response_alg`. Tokens signed otherwise are refused, even
     * with a key the provider publishes. Default RS256, OpenID's default when a client registers none
     * (what Gatehouse's authorization server and oidc-provider use).
     */
    idTokenSigningAlg: Type.Union(
      allowedAlgorithms.map((alg) => Type.Literal(alg)),
      {
        default: defaultSigningAlgorithm,
        description: 'the alg of the provider’s ID and logout tokens to this client',
      },
    ),
    /**
     * Audiences besides `clientId` an ID token or logout token may name (OpenID Connect Core
     * §3.1.3.7: a token naming an audience the client does not trust is refused). Default none.
     */
    idTokenTrustedAudiences: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
      default: [],
      description: 'audiences besides clientId an ID token or logout token may name',
    }),
    static: Type.Optional(Type.String({ minLength: 1, description: 'a folder of static SPA files to serve' })),
    /**
     * Pages of the static folder the app may frame itself (`frame-ancestors 'self'`), such as a silent
     * sign-in callback; every other page refuses framing. Default none.
     */
    frameablePages: Type.Array(Type.String({ pattern: '^[A-Za-z0-9._-]+\\.html$' }), {
      default: [],
      description: 'static pages the app may frame itself (frame-ancestors self); the others refuse framing',
    }),
    prefix: Type.String({ pattern: '^/[a-z0-9-]+$', default: '/bff', description: 'path prefix of the BFF endpoints' }),
    routes: Type.Array(routeSchema, { default: [], description: 'the APIs proxied, each under a local path' }),
    /** Upstream providers whose APIs the BFF calls for the user; see `upstreamSchema`. Default none. */
    upstreams: Type.Array(upstreamSchema, {
      default: [],
      description: 'upstream providers whose APIs the BFF calls with the user’s token there',
    }),
    /** Sliding idle limit of a session, in seconds. Default 8 hours. */
    sessionIdleTimeoutSeconds: Type.Integer({
      minimum: 60,
      default: 8 * 3600,
      description: 'sliding idle limit of a session',
    }),
    /** Absolute limit of a session, in seconds, never extended by activity. Default 7 days. */
    sessionAbsoluteTimeoutSeconds: Type.Integer({
      minimum: 300,
      default: 7 * 86400,
      description: 'limit of a session however active; keep it ≤ the provider’s refresh-token lifetime',
    }),
    /**
     * How long an instance may reuse a session it read, in milliseconds. Default 0: every request
     * reads the store. Higher is faster, but a logout elsewhere takes effect here up to this much later.
     */
    sessionCacheMs: Type.Integer({
      minimum: 0,
      maximum: 60_000,
      default: 0,
      description: 'how long an instance may reuse a session it read, with a store that sends no notifications',
    }),
    /**
     * With a store that tells every instance about session changes (Redis), how long a session read is
     * reused, in milliseconds; a logout, refresh or back-channel logout on any instance drops the copy
     * at once, and nothing is reused while notifications are interrupted. 0 turns it off. Default 15 000.
     */
    sharedSessionCacheMs: Type.Integer({
      minimum: 0,
      maximum: 300_000,
      default: 15_000,
      description: 'how long a session read is reused, with a store that notifies every instance; 0: off',
    }),
    /** Refresh an access token this many seconds before it expires. Default 60. */
    refreshMarginSeconds: Type.Integer({
      minimum: 0,
      maximum: 3600,
      default: 60,
      description: 'refresh an access token this long before it expires',
    }),
    /**
     * How long a refresh at the provider's token endpoint may take, in milliseconds. A refresh whose
     * answer does not come in time is retried once at once (the provider's grace window gives the
     * same successor if it had rotated); then the browser gets 504 with `Retry-After` and keeps its
     * session. Calls waiting for another request's refresh wait for both attempts. Default 10 s.
     */
    refreshTimeoutMs: Type.Integer({
      minimum: 100,
      maximum: 60_000,
      default: 10_000,
      description: 'deadline of a refresh at the provider (retried once, then 504)',
    }),
    /** How long a proxied upstream call may take before the browser gets 504, in milliseconds. */
    upstreamTimeoutMs: Type.Integer({
      minimum: 100,
      maximum: 600_000,
      default: 30_000,
      description: 'deadline of a proxied call (then 504)',
    }),
    /**
     * The largest request body the proxy passes upstream, in bytes: a larger `Content-Length` is
     * refused with 413 before the upstream is contacted, and a chunked body is cut off with 413 once it
     * grows past it. Keep it at or below the smallest body limit of the APIs behind the BFF: an API
     * that refuses a body and closes the connection while the BFF is still sending it can only be
     * reported as 502. Default 1 MiB (Fastify's own default body limit).
     */
    maxRequestBodyBytes: Type.Integer({
      minimum: 1,
      maximum: 2 ** 30,
      default: 1024 * 1024,
      description: 'largest proxied request body (then 413); keep it ≤ the APIs’ own limits',
    }),
    /**
     * Requests per source address (the connection's peer address) and window, counted in the store
     * so every instance shares them; beyond it, 429 with `Retry-After` (a login navigation ends on
     * the login-failed route with `temporarily_unavailable`).
     */
    rateLimits: Type.Object(
      {
        /** `GET /bff/login` and `/bff/silent-login` together: each writes a login transaction. Default 60 a minute. */
        login: rateLimitSchema(60, 'sign-ins started', 'GET /bff/login and /bff/silent-login together'),
        /** Calls on `token: "client"` routes, which anyone may make with the BFF's identity. Default 600 a minute. */
        clientRoutes: rateLimitSchema(
          600,
          'calls on token: client routes',
          'calls on token: client routes, which anyone may make with the BFF’s identity',
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'requests per source address and window, counted in the store',
      },
    ),
    /**
     * How often open WebSocket connections re-check their session, in seconds: a connection whose
     * session ended (logout, back-channel logout, expiry — on any instance) closes within this time.
     */
    websocketSessionCheckSeconds: Type.Integer({
      minimum: 1,
      maximum: 300,
      default: 5,
      description: 'how often open WebSocket connections re-check their session',
    }),
    /** The SPA route a failed login ends on, with `?error=<code>`. */
    loginFailedPath: Type.String({
      pattern: '^/[^/\\\\]',
      default: '/authentication/login-failed',
      description: 'the SPA route a failed login ends on, with ?error=<code>',
    }),
    /** Where the provider sends the browser after logout (registered as post_logout_redirect_uri). */
    postLogoutRedirectPath: Type.String({
      pattern: '^/([^/\\\\].*)?$',
      default: '/',
      description: 'where the provider sends the browser after logout',
    }),
    /** `/metrics` (and, by choice, `/healthz` + `/readyz`) on a listener of its own. Default off. */
    metrics: metricsListenerConfigSchema,
    /** Where `/healthz` and `/readyz` are served. Default the public listener. */
    health: healthConfigSchema,
    /** The graceful stop on SIGTERM; see docs/operations.md#health-readiness-and-shutdown. */
    shutdown: shutdownConfigSchema,
    // Off by default; see docs/operations.md#tracing for registering a provider and what a span holds.
    tracing: tracingConfigSchema,
    offlineAccess: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description: 'serve /bff/offline: the user may grant offline_access for server-side asUser calls',
        }),
      },
      { additionalProperties: false, default: {}, description: 'offline access, for server-side calls as the user' },
    ),
    tokenMediating: Type.Object(
      { enabled: Type.Boolean({ default: false, description: 'serve GET /bff/token (the token-mediating pattern)' }) },
      { additionalProperties: false, default: {}, description: 'handing access tokens to the SPA' },
    ),
  },
  { additionalProperties: false },
);

export type BffConfig = Static<typeof bffConfigSchema>;

/**
 * Checks a BFF configuration and returns it frozen with defaults applied. Refuses, naming the field:
 * anything the schema refuses; plain `http` for `publicUrl` or `issuer` outside loopback; an absolute
 * session limit shorter than the idle one; two routes with the same path, a route under `prefix` or
 * on `/healthz` or `/readyz`; `health.listener: "metrics"` without `metrics.enabled`;
 * two upstreams with one name, or an `apiBaseUrl` over plain http outside loopback; an upstream route
 * naming no configured upstream, with a `target` outside the upstream's `apiBaseUrl`, or with `scopes`
 * or `appsecretProof` (the authorization server decides both for upstream tokens).
 */
export function loadBffConfig(input: unknown, label = 'bff config'): Readonly<BffConfig> {
  const config = parseConfig(bffConfigSchema, input, label);
  for (const field of ['publicUrl', 'issuer'] as const) {
    const url = new URL(config[field]);
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw new ConfigError(`${label}: ${field}: must use https (plain http only on localhost)`, field);
    }
  }
  if (config.sessionAbsoluteTimeoutSeconds < config.sessionIdleTimeoutSeconds) {
    throw new ConfigError(
      `${label}: sessionAbsoluteTimeoutSeconds: must not be shorter than sessionIdleTimeoutSeconds`,
      'sessionAbsoluteTimeoutSeconds',
    );
  }
  const seen = new Set<string>();
  for (const [i, route] of config.routes.entries()) {
    const field = `routes.${i}.path`;
    if (seen.has(route.path)) throw new ConfigError(`${label}: ${field}: another route has the same path`, field);
    seen.add(route.path);
    // A route on "/" would proxy every path, the app's own pages included.
    if (route.path.replace(/\/+$/, '') === '') {
      throw new ConfigError(`${label}: ${field}: must be a path below "/", such as /api`, field);
    }
    if (
      route.path === config.prefix ||
      route.path.startsWith(`${config.prefix}/`) ||
      route.path.split('/').includes('..')
    ) {
      throw new ConfigError(`${label}: ${field}: must not be under ${config.prefix} or contain ".."`, field);
    }
    // The health paths are the BFF's own on every listener choice (404 when served elsewhere).
    const health = Object.values(healthPaths).find((path) => route.path === path || route.path.startsWith(`${path}/`));
    if (health) throw new ConfigError(`${label}: ${field}: ${health} is the BFF's own health endpoint`, field);
  }
  checkUpstreams(config, label);
  const opsProblem = checkOpsConfig(config);
  if (opsProblem) throw new ConfigError(`${label}: ${opsProblem.field}: ${opsProblem.message}`, opsProblem.field);
  return config;
}

/** The upstreams and the routes that use them: what the schema alone cannot say. */
function checkUpstreams(config: Readonly<BffConfig>, label: string): void {
  const fail = (field: string, message: string): never => {
    throw new ConfigError(`${label}: ${field}: ${message}`, field);
  };
  const names = new Map<string, number>();
  for (const [i, upstream] of config.upstreams.entries()) {
    if (names.has(upstream.name)) fail(`upstreams.${i}.name`, 'another upstream has the same name');
    names.set(upstream.name, i);
    if (upstream.apiBaseUrl === undefined) continue;
    const url = new URL(upstream.apiBaseUrl);
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
      fail(`upstreams.${i}.apiBaseUrl`, 'must use https (plain http only on localhost)');
    if (url.username || url.password) fail(`upstreams.${i}.apiBaseUrl`, 'must not carry credentials');
  }
  for (const [i, route] of config.routes.entries()) {
    if (!route.token.startsWith(upstreamTokenPrefix)) continue;
    const name = route.token.slice(upstreamTokenPrefix.length);
    const at = names.get(name);
    const upstream = at === undefined ? undefined : config.upstreams[at];
    if (!upstream) throw fail(`routes.${i}.token`, `no upstream is named ${name}; add it to upstreams`);
    // The authorization server hands out the upstream's token as it is, with its proof when one is due.
    if (route.scopes.length > 0)
      fail(`routes.${i}.scopes`, 'must be empty on an upstream route: the upstream decides what its token allows');
    if (route.appsecretProof)
      fail(
        `routes.${i}.appsecretProof`,
        'must be false on an upstream route: the authorization server supplies the proof',
      );
    if (upstream.apiBaseUrl !== undefined && !isBelowApiBase(route.target, upstream.apiBaseUrl))
      fail(`routes.${i}.target`, `must lie below upstreams.${at}.apiBaseUrl (${upstream.apiBaseUrl})`);
  }
}
