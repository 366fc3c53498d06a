export { type AuthorizationRequest, buildAuthorizationUrl } from './authorization-request.js';
export { BrowserBinding } from './browser-binding.js';
export { type CallbackFault, type CallbackResult, parseCallback } from './callback.js';
export {
  allowedAlgorithms,
  type ClientTokenRules,
  defaultSigningAlgorithm,
  type SigningAlgorithm,
} from './client-token-rules.js';
export { discoverProvider, type ProviderMetadata } from './discovery.js';
export { DiscoveryError, OidcClientError, ProviderUnavailableError, TokenEndpointError } from './errors.js';
export {
  createIdTokenVerifier,
  IdTokenError,
  type IdTokenExpectations,
  type IdTokenVerifier,
} from './id-token.js';
export {
  type BegunTransaction,
  type FinishedTransaction,
  type LoginTransactionOptions,
  LoginTransactionStore,
  type OpenedTransaction,
  type TransactionFields,
  type TransactionSealer,
} from './login-transaction-store.js';
export { type LogoutRequest, LogoutTokenError, logoutTokenMaxAgeSeconds, verifyLogoutToken } from './logout-token.js';
export { createPkcePair } from './pkce.js';
export { isBelowApiBase, withAppsecretProof } from './provider-api-url.js';
export { callProvider, type Fetch } from './provider-http.js';
export { createProviderKeys, type ProviderKeys } from './provider-keys.js';
export { basicAuthorization, type ClientCredentials, requestTokens, type TokenResponse } from './token-request.js';
export { fetchUserInfo } from './userinfo.js';
