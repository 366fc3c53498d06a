import type { RateLimiter, RateLimitRule, Store } from '@gatehouse/store';
import type { FastifyBaseLogger } from 'fastify';
import type { AccountStore } from './accounts/account-store.js';
import type { LoginThrottle } from './accounts/login-throttle.js';
import type { ClientAuthContext } from './clients/authenticate-client.js';
import type { ClientRegistry } from './clients/client-registry.js';
import type { AuthorizationServerConfig } from './config/as-config.js';
import type { GrantStore } from './grants/grant-store.js';
import type { CookieSigner } from './http/cookies.js';
import type { Interactions } from './interaction/interactions.js';
import type { KeyRing } from './keys/key-ring.js';
import type { BackchannelLogout } from './logout/backchannel-logout.js';
import type { Consents } from './sessions/consents.js';
import type { CsrfTokens } from './sessions/csrf.js';
import type { ProviderSessions } from './sessions/provider-session.js';
import type { RefreshTokens } from './tokens/refresh-tokens.js';
import type { AccountLinks } from './upstreams/account-links.js';
import type { UpstreamApi } from './upstreams/upstream-api.js';
import type { UpstreamProviders } from './upstreams/upstream-providers.js';
import type { UpstreamTokens } from './upstreams/upstream-tokens.js';
import type { UpstreamTransactions } from './upstreams/upstream-transactions.js';

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
}
