export type { CallbackResult, ClientCredentials, ProviderMetadata, TokenResponse } from '@gatehouse/oidc-client';
export {
  basicAuthorization,
  buildAuthorizationUrl,
  createPkcePair,
  DiscoveryError,
  discoverProvider,
  OidcClientError,
  ProviderUnavailableError,
  parseCallback,
  requestTokens,
  TokenEndpointError,
} from '@gatehouse/oidc-client';
export type { BffDeps } from './app.js';
export { createBff } from './app.js';
export type { BffConfig } from './config/bff-config.js';
export { bffConfigSchema, loadBffConfig } from './config/bff-config.js';
export type { BegunLogin, FinishedLogin, LoginFlow, LoginRequest } from './login/login-transactions.js';
export { LoginTransactions, loginCookieName } from './login/login-transactions.js';
export type { SignOutCause } from './metrics/bff-metrics.js';
export { BffMetrics } from './metrics/bff-metrics.js';
export type { OfflineGrant } from './offline/offline-grants.js';
export { OfflineAccessError, OfflineGrants } from './offline/offline-grants.js';
export { RefreshUnavailableError, type RefreshUnavailableReason } from './refresh/refresh-unavailable.js';
export type { BrowserRequest, BrowserRequestVerdict, RefusalReason } from './request-guard/check-browser-request.js';
export { checkBrowserRequest } from './request-guard/check-browser-request.js';
export { parseReturnUrl } from './routes/return-url.js';
export {
  createSessionId,
  readSessionId,
  serializeClearedSessionCookie,
  serializeSessionCookie,
  sessionCookieName,
} from './session/session-cookie.js';
export type { EndedSessions, LoadedSession, Session, SessionLimits, SessionTokens } from './session/session-store.js';
export { SessionExpiredError, SessionStore } from './session/session-store.js';
export type { TokenCipher } from './session/token-cipher.js';
export { createTokenCipher, TokenDecryptionError } from './session/token-cipher.js';
export type { UpstreamCallFailure } from './upstream/upstream-call-error.js';
export { UpstreamCallError } from './upstream/upstream-call-error.js';
export type { UpstreamFetch } from './upstream/upstream-fetch.js';
