import { JwksCache, ProviderUnavailableError } from '@gatehouse/resource-server';
import type { JWTVerifyGetKey } from 'jose';
import type { ProviderMetadata } from './discovery.js';

/**
 * The provider's signing keys, through the resource-server core's JWKS cache (the one place where
 * Gatehouse fetches and trusts keys): fetched from `jwks_uri` on first use, cached, refetched on an
 * unknown `kid` at most every 30 s, never from a token's `jku`, `x5u` or `jwk` header. A JWKS that
 * cannot be reached with nothing cached is {@link ProviderUnavailableError}; an unknown key fails the
 * token's verification.
 */
export function createProviderKeys(metadata: ProviderMetadata, fetchImpl?: typeof fetch): ProviderKeys {
  const keys = new JwksCache({ issuer: metadata.issuer, jwksUri: metadata.jwks_uri, fetch: fetchImpl });
  const keyFor: JWTVerifyGetKey = async (header) => {
    try {
      return await keys.keyFor({ kid: header.kid, alg: header.alg });
    } catch (error) {
      if (error instanceof ProviderUnavailableError) {
        throw new ProviderUnavailableError('the provider’s JWKS is unreachable', { cause: error });
      }
      throw error;
    }
  };
  return Object.assign(keyFor, { ensureLoaded: () => keys.ensureLoaded() });
}

/** A key getter for `jose`'s `jwtVerify`, and a way to know the provider's keys were fetched. */
export type ProviderKeys = JWTVerifyGetKey & {
  /** Fetches the JWKS if nothing is cached yet (once per cool-down); rejects while none could be. */
  ensureLoaded(): Promise<void>;
};
