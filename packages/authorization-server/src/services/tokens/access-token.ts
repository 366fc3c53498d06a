import { SignJWT } from 'jose';
import { randomToken } from '../../primitives/random.js';
import type { SigningAlg } from '../../protocol/signing-algorithms.js';
import type { KeyRing } from '../../stores/key-ring.js';

export interface AccessTokenClaims {
  sub: string;
  clientId: string;
  audience: string;
  scopes: readonly string[];
  /** Seconds since the epoch; user tokens only. */
  authTime?: number | undefined;
  amr?: readonly string[] | undefined;
  acr?: string | undefined;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresAt: number;
}

/**
 * Signs an RFC 9068 JWT access token: `typ: at+jwt`, `iss`, `sub`, `aud`, `exp`, `iat`, a unique
 * `jti`, `client_id`, `scope`, and `auth_time`/`acr`/`amr` when a user signed in.
 */
export async function signAccessToken(
  keys: KeyRing,
  alg: SigningAlg,
  issuer: string,
  claims: AccessTokenClaims,
  ttlSeconds: number,
  nowMs: number,
): Promise<IssuedAccessToken> {
  const { kid, key } = await keys.signingKey(alg);
  const iat = Math.floor(nowMs / 1000);
  const jti = randomToken(18);
  const payload: Record<string, unknown> = {
    client_id: claims.clientId,
    scope: claims.scopes.join(' '),
  };
  if (claims.authTime !== undefined) payload.auth_time = claims.authTime;
  if (claims.acr !== undefined) payload.acr = claims.acr;
  if (claims.amr?.length) payload.amr = claims.amr;
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setSubject(claims.sub)
    .setAudience(claims.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(jti)
    .sign(key);
  return { token, jti, expiresAt: (iat + ttlSeconds) * 1000 };
}
