import { type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { audienceFault, type ClientTokenRules, checkTokenRules } from './client-token-rules.js';
import type { ProviderMetadata } from './discovery.js';
import { OidcClientError, ProviderUnavailableError } from './errors.js';

/** The ID token failed a check; `reason` says which (for logs and metrics, not for the browser). */
export class IdTokenError extends OidcClientError {
  override readonly name = 'IdTokenError';
  override readonly code = 'ERR_OIDC_ID_TOKEN';

  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`ID token refused: ${reason}`, options);
  }
}

export interface IdTokenExpectations {
  clientId: string;
  /** The nonce of the login flow; the token must carry exactly this value. */
  nonce: string;
  /** Now, in milliseconds since the epoch. */
  now: number;
  /** Clock tolerance, in seconds. Default 30. */
  clockToleranceSeconds?: number;
}

export type IdTokenVerifier = (idToken: string, expected: IdTokenExpectations) => Promise<JWTPayload & { sub: string }>;

/**
 * Validates ID tokens from one provider per OpenID Connect Core §3.1.3.7: signature by a key from the
 * provider's JWKS (cached, refetched on an unknown `kid`) with the one algorithm the client
 * registered (`rules.signingAlgorithm`, default RS256), `iss` exactly the issuer, `aud` naming the
 * client and no audience it does not trust (`rules.trustedAudiences`, default none), `azp` present
 * when there are several audiences and naming the client whenever present, `exp` in the future and
 * `iat` present, `sub` a non-empty string, `nonce` exactly the flow's.
 *
 * @example
 * const verifyIdToken = createIdTokenVerifier(metadata, createProviderKeys(metadata), { signingAlgorithm: 'RS256' });
 * const claims = await verifyIdToken(tokens.id_token, { clientId, nonce, now: Date.now() });
 */
export function createIdTokenVerifier(
  metadata: ProviderMetadata,
  jwks: JWTVerifyGetKey,
  rules: ClientTokenRules = {},
): IdTokenVerifier {
  const { algorithms, trustedAudiences } = checkTokenRules(rules);
  return async (idToken, expected) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, jwks, {
        issuer: metadata.issuer,
        audience: expected.clientId,
        algorithms,
        requiredClaims: ['iat', 'exp', 'sub'],
        currentDate: new Date(expected.now),
        clockTolerance: expected.clockToleranceSeconds ?? 30,
      }));
    } catch (error) {
      if (error instanceof ProviderUnavailableError) throw error;
      const code = (error as { code?: string }).code ?? 'invalid';
      throw new IdTokenError(code, { cause: error });
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new IdTokenError('sub missing');
    if (payload.nonce !== expected.nonce) throw new IdTokenError('nonce mismatch');
    const fault = audienceFault(payload, expected.clientId, trustedAudiences);
    if (fault) throw new IdTokenError(fault);
    return payload as JWTPayload & { sub: string };
  };
}
