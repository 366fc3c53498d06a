import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { ProviderMetadata } from './discovery.js';

/**
 * The provider's signing keys from its `jwks_uri`: fetched on first use, cached, refetched on an
 * unknown `kid` at most every 30 s (so a flood of made-up `kid`s cannot hammer the provider), and
 * only from the configured URL — `jku`, `x5u` and `jwk` headers in a token are never followed.
 */
export function createProviderKeys(metadata: ProviderMetadata): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
}
