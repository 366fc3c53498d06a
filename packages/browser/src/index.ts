export type {
  AuthenticationRoute,
  AuthenticationRouteContext,
  AuthenticationRoutes,
  AuthenticationRoutesOptions,
  AuthenticationRouteView,
  RouteContainer,
} from './auth-routes/auth-routes.js';
export { createAuthenticationRoutes, describeAuthenticationError } from './auth-routes/auth-routes.js';
export type {
  BffClient,
  BffClientOptions,
  BffUser,
  LoginOptions,
  LogoutOptions,
  UserOptions,
} from './bff-client/bff-client.js';
export { BffUnavailableError, createBffClient, LoginRequiredError } from './bff-client/bff-client.js';
export type { AccessTokenResult } from './public-client/access-token.js';
export type { TokenFetchOptions } from './public-client/app-token-fetch.js';
export { createTokenFetch } from './public-client/app-token-fetch.js';
export type { AuthorizedFetch, AuthorizedFetchOptions } from './public-client/authorized-fetch.js';
export type { ProviderErrorCode, SignInErrorCode } from './public-client/errors.js';
export { AccessTokenNotAvailableError, SignInError } from './public-client/errors.js';
export type { IdTokenClaims } from './public-client/id-token-claims.js';
export { beginImplicitSignIn, completeImplicitSignIn } from './public-client/implicit.js';
export type {
  BeginImplicitSignInOptions,
  CompleteImplicitSignInOptions,
  ImplicitResponseType,
  ImplicitSignInResult,
} from './public-client/implicit-response.js';
export type { PublicClient, PublicClientOptions, TokenExpiring } from './public-client/public-client.js';
export { createPublicClient } from './public-client/public-client.js';
export { notifySilentSignIn } from './public-client/silent-callback.js';
export type { SilentSignInResult } from './public-client/silent-sign-in.js';
export type { TransactionStorage } from './public-client/transaction-store.js';
export type { AppState } from './redirect-state/redirect-state.js';
export { saveAppState, takeAppState } from './redirect-state/redirect-state.js';
