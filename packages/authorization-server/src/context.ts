import type { Store } from '@gatehouse/store';
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
  throttle: LoginThrottle;
  sessions: ProviderSessions;
  consents: Consents;
  csrf: CsrfTokens;
  grants: GrantStore;
  refreshTokens: RefreshTokens;
  signer: CookieSigner;
  backchannel: BackchannelLogout;
  interactions: Interactions;
  /** The app's logger (pino, with secrets redacted). */
  log: FastifyBaseLogger;
}
