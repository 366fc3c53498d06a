export { AccountStore } from './accounts/account-store.js';
export { checkNewPassword } from './accounts/password-policy.js';
export { AdminError, type AuthorizationServerAdmin, openAuthorizationServerAdmin } from './admin.js';
export { type AuthorizationServerDeps, createAuthorizationServer, ephemeralNamespaces } from './app.js';
export { ClientMetadataError, ClientRegistry, type RegisteredClient } from './clients/client-registry.js';
export {
  type AuthorizationServerConfig,
  authorizationServerConfigSchema,
  loadAuthorizationServerConfig,
} from './config/as-config.js';
export { type ClientMetadata, clientMetadataSchema } from './config/client-metadata.js';
export { type UpstreamConfig, upstreamSchema } from './config/upstream-config.js';
export { upstreamCallbackUrl } from './endpoints/upstream-sign-in.js';
export * from './errors.js';
export { KeyRing, type SigningAlg } from './keys/key-ring.js';
export { idTokenAlg } from './tokens/id-token.js';
export { createSealer } from './tokens/sealing.js';
export { UpstreamApi, type UpstreamCredentials } from './upstreams/upstream-api.js';
export { UpstreamTokenError, type UpstreamTokenFailure } from './upstreams/upstream-errors.js';
