import { createSecurityEvents, type Registry } from '@gatehouse/server-kit';
import { RateLimiter, type Store } from '@gatehouse/store';
import type { FastifyBaseLogger } from 'fastify';
import type { AuthorizationServerConfig } from '../config/as-config.js';
import type { AsContext, EndpointUrls } from '../context.js';
import { CookieSigner } from '../primitives/cookies.js';
import { CsrfTokens } from '../primitives/csrf-tokens.js';
import { createSealer } from '../primitives/sealing.js';
import { idTokenAlg, type SigningAlg } from '../protocol/signing-algorithms.js';
import { RecentCredentials } from '../services/clients/recent-credentials.js';
import { BackchannelLogout, type BackchannelShutdown } from '../services/logout/backchannel-logout.js';
import { UpstreamApi } from '../services/upstreams/upstream-api.js';
import { UpstreamProviders } from '../services/upstreams/upstream-providers.js';
import { UpstreamTokens } from '../services/upstreams/upstream-tokens.js';
import { AccountLinks } from '../stores/account-links.js';
import { AccountStore } from '../stores/account-store.js';
import { ClientRegistry } from '../stores/client-registry.js';
import { Consents } from '../stores/consents.js';
import { GrantStore } from '../stores/grant-store.js';
import { Interactions } from '../stores/interactions.js';
import { KeyRing } from '../stores/key-ring.js';
import { LoginThrottle } from '../stores/login-throttle.js';
import { ProviderSessions } from '../stores/provider-sessions.js';
import { RefreshTokens } from '../stores/refresh-tokens.js';
import { UpstreamTransactions } from '../stores/upstream-transactions.js';
import { AsMetrics } from '../telemetry/as-metrics.js';
import { asSecurityEventCatalog } from '../telemetry/security-events.js';
import { seedConfiguredUsers } from './seed-users.js';

/**
 * The app context every endpoint is given: endpoint URLs, the stores and services over `store`,
 * the signing keys (loaded, or created on first start) and the configured users (created when
 * missing). `log` is the app's logger, for the services that log outside a request; the security
 * events go there too, and are counted with the server's other metrics in `registry`.
 */
export async function buildContext(
  config: Readonly<AuthorizationServerConfig>,
  store: Store,
  now: () => number,
  fetchImpl: typeof fetch,
  log: FastifyBaseLogger,
  registry: Registry,
  shutdown?: BackchannelShutdown,
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
  const metrics = new AsMetrics(registry, now);
  const events = createSecurityEvents(asSecurityEventCatalog, log, metrics.observeSecurityEvent);
  const keys = new KeyRing(store, createSealer(config.cookieSecrets, 'signing-keys'), algs, now);
  keys.watch((change) =>
    change.kind === 'published'
      ? events.emit('signing_key_published', {
          kid: change.kid,
          alg: change.alg,
          activates_at: new Date(change.activatesAt).toISOString(),
        })
      : events.emit('signing_key_activated', { kid: change.kid, alg: change.alg }),
  );
  metrics.watchKeyRing(keys);
  await keys.initialize();
  // Rotations announced by other instances or the CLI are seen at once, not at the next poll.
  await keys.follow();
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
  await seedConfiguredUsers(accounts, config.users);
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
      events,
      recentCredentials: new RecentCredentials(now),
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
    sessions: new ProviderSessions(store, signer, config.sessionTtlSeconds, now),
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
      events,
      shutdown,
    }),
    interactions: new Interactions(store),
    fetch: fetchImpl,
    upstreams: {
      providers: upstreamProviders,
      links: upstreamLinks,
      tokens: upstreamTokens,
      transactions: new UpstreamTransactions(store, createSealer(config.cookieSecrets, 'upstream-transactions'), now),
      api: new UpstreamApi(upstreamProviders, upstreamTokens, upstreamLinks, fetchImpl),
    },
    log,
    events,
    metrics,
  };
}
