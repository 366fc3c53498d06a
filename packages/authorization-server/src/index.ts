export { AdminError, type AuthorizationServerAdmin, openAuthorizationServerAdmin } from './admin.js';
export { type AuthorizationServerDeps, createAuthorizationServer, ephemeralNamespaces } from './app.js';
export { checkNewPassword } from './checks/password-policy.js';
export {
  type AuthorizationServerConfig,
  authorizationServerConfigSchema,
  loadAuthorizationServerConfig,
} from './config/as-config.js';
export { type UpstreamConfig, upstreamSchema } from './config/upstream-config.js';
export { upstreamCallbackUrl } from './endpoints/upstream-sign-in.js';
export { createSealer } from './primitives/sealing.js';
export { type ClientMetadata, clientMetadataSchema, type RegisteredClient } from './protocol/client-metadata.js';
export * from './protocol/errors.js';
export { idTokenAlg, type SigningAlg } from './protocol/signing-algorithms.js';
export { UpstreamApi, type UpstreamCredentials } from './services/upstreams/upstream-api.js';
export { UpstreamTokenError, type UpstreamTokenFailure } from './services/upstreams/upstream-errors.js';
export { AccountStore } from './stores/account-store.js';
export { ClientMetadataError, ClientRegistry } from './stores/client-registry.js';
export { KeyRing } from './stores/key-ring.js';
