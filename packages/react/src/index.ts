export type {
  AuthenticationRouteState,
  AuthenticationRoutesProps,
  UseAuthenticationRoutesOptions,
} from './authentication-routes.js';
export { AuthenticationRoutes, useAuthenticationRoute } from './authentication-routes.js';
export type { FetchFunction, GatehouseClient, SignInOptions, UserOf } from './client.js';
export type { AuthenticationState, AuthenticationStatus } from './context.js';
export { navigateInApp } from './navigation.js';
export type { GatehouseProviderProps } from './provider.js';
export { GatehouseProvider } from './provider.js';
export type { RequireAuthProps } from './require-auth.js';
export { RequireAuth } from './require-auth.js';
export { useReturnedState } from './returned-state.js';
export { useAuthorizedFetch } from './use-authorized-fetch.js';
export type { UseUserResult } from './use-user.js';
export { useUser } from './use-user.js';
