import type { RateLimiter, RateLimitRule, Store } from '@gatehouse/store';
import type { FastifyBaseLogger } from 'fastify';
import type { AuthorizationServerConfig } from './config/as-config.js';
import type { CookieSigner } from './primitives/cookies.js';
import type { CsrfTokens } from './primitives/csrf-tokens.js';
import type { ClientAuthContext } from './services/clients/authenticate-client.js';
import type { BackchannelLogout } from './services/logout/backchannel-logout.js';
import type { UpstreamApi } from './services/upstreams/upstream-api.js';
import type { UpstreamProviders } from './services/upstreams/upstream-providers.js';
import type { UpstreamTokens } from './services/upstreams/upstream-tokens.js';
import type { AccountLinks } from './stores/account-links.js';
import type { AccountStore } from './stores/account-store.js';
import type { ClientRegistry } from './stores/client-registry.js';
import type { Consents } from './stores/consents.js';
import type { GrantStore } from './stores/grant-store.js';
import type { Interactions } from './stores/interactions.js';
import type { KeyRing } from './stores/key-ring.js';
import type { LoginThrottle } from './stores/login-throttle.js';
import type { ProviderSessions } from './stores/provider-sessions.js';
import type { RefreshTokens } from './stores/refresh-tokens.js';
import type { UpstreamTransactions } from './stores/upstream-transactions.js';
import type { AsMetrics } from './telemetry/as-metrics.js';
import type { AsSecurityEvents } from './telemetry/security-events.js';

/** The provider's endpoint URLs, as discovery names them. */
export interface EndpointUrls {
  authorization: string;
  token: string;
  userinfo: string;
  jwks: string;
  revocation: string;
  introspection: string;
  endSession: string;
  registration: string;
  profile: string;
}

/** Everything an endpoint needs, built once in `createAuthorizationServer`. */
export interface AsContext {
  config: Readonly<AuthorizationServerConfig>;
  store: Store;
  now: () => number;
  urls: EndpointUrls;
  /** The issuer URL's path ('' for an issuer at the root): every route lives under it. */
  basePath: string;
  keys: KeyRing;
  clients: ClientRegistry;
  clientAuth: ClientAuthContext;
  accounts: AccountStore;
  /** The one rate-limit mechanism; the sign-in and client-authentication limits use it too. */
  rateLimiter: RateLimiter;
  /** Limits applied directly by endpoints (per source address). */
  limits: { registration: RateLimitRule };
  throttle: LoginThrottle;
  sessions: ProviderSessions;
  consents: Consents;
  csrf: CsrfTokens;
  grants: GrantStore;
  refreshTokens: RefreshTokens;
  signer: CookieSigner;
  backchannel: BackchannelLogout;
  interactions: Interactions;
  /** For calls to upstream providers and back-channel logout. */
  fetch: typeof fetch;
  /** Sign-in with upstream providers and the users' tokens there. */
  upstreams: {
    providers: UpstreamProviders;
    links: AccountLinks;
    tokens: UpstreamTokens;
    transactions: UpstreamTransactions;
    api: UpstreamApi;
  };
  /** The app's logger (pino, with secrets redacted). */
  log: FastifyBaseLogger;
  /** Security events: a log line each (docs/operations.md), counted in `metrics`. */
  events: AsSecurityEvents;
  /** The authorization server's own counters and gauges, in the app's metrics registry. */
  metrics: AsMetrics;
}
