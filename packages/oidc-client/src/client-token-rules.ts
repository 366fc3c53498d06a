import type { JWTPayload } from 'jose';

/** Asymmetric algorithms only: never `none`, never HMAC (a client secret must not mint identities). */
export const allowedAlgorithms = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;

export type SigningAlgorithm = (typeof allowedAlgorithms)[number];

/**
 * The algorithm of a client's ID tokens when it registered no `id_token_signed_response_alg`
 * (OpenID Connect Core §3.1.3.7 step 7, Dynamic Client Registration §2). Gatehouse's authorization
 * server and `oidc-provider` sign ID tokens and logout tokens with it by default.
 */
export const defaultSigningAlgorithm: SigningAlgorithm = 'RS256';

/**
 * What a client registered at its provider about the JWTs the provider sends it: ID tokens and
 * back-channel logout tokens, which share these rules (Back-Channel Logout 1.0 §2.6 validates `aud`
 * "in the same way" as for ID tokens, and §2.4 signs the token as the client's ID tokens are).
 */
export interface ClientTokenRules {
  /**
   * The one algorithm the provider signs this client's ID and logout tokens with — the client's
   * registered `id_token_signed_response_alg`. A token signed otherwise is refused, even with a key
   * the provider publishes (an access-token key, say). Default RS256, OpenID's default.
   */
  signingAlgorithm?: SigningAlgorithm;
  /**
   * Audiences besides the client's own that a token may name (OpenID Connect Core §3.1.3.7 step 3:
   * refuse audiences the client does not trust). Default none: `aud` is the client alone.
   */
  trustedAudiences?: readonly string[];
}

/** The rules checked once: the algorithm list for `jwtVerify` and the trusted audiences as a set. */
export interface CheckedTokenRules {
  algorithms: string[];
  trustedAudiences: ReadonlySet<string>;
}

/** Checks the rules a caller passed; an algorithm outside {@link allowedAlgorithms} is a `TypeError`. */
export function checkTokenRules(rules: ClientTokenRules = {}): CheckedTokenRules {
  const algorithm = rules.signingAlgorithm ?? defaultSigningAlgorithm;
  if (!(allowedAlgorithms as readonly string[]).includes(algorithm)) {
    throw new TypeError(`signingAlgorithm must be one of ${allowedAlgorithms.join(', ')}`);
  }
  return { algorithms: [algorithm], trustedAudiences: new Set(rules.trustedAudiences ?? []) };
}

/**
 * OpenID Connect Core §3.1.3.7 steps 3–5 beyond "`aud` contains the client" (which `jwtVerify`
 * checks): no audience the client does not trust; with several audiences, an `azp`; and an `azp`,
 * when present, naming the client. Returns the rule the payload breaks, or `undefined`.
 */
export function audienceFault(
  payload: JWTPayload,
  clientId: string,
  trustedAudiences: ReadonlySet<string>,
): 'untrusted audience' | 'azp mismatch' | undefined {
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (audiences.some((audience) => audience !== clientId && !trustedAudiences.has(audience as string))) {
    return 'untrusted audience';
  }
  if (audiences.length > 1 && payload.azp !== clientId) return 'azp mismatch';
  if (payload.azp !== undefined && payload.azp !== clientId) return 'azp mismatch';
  return undefined;
}
