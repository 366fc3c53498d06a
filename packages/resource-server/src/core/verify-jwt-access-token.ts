import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import { invalidToken } from './bearer-error.js';
import type { JwksCache } from './jwks-cache.js';
import type { Principal } from './principal.js';

export interface JwtAccessTokenRules {
  issuer: string;
  /** The API's identifier; the token's `aud` must contain one of them. */
  audience: string | readonly string[];
  /**
   * Accepted algorithms. Default ES256, ES384, RS256, PS256, EdDSA; `none` and HMAC are never accepted
   * (listing them is a `TypeError` when the verifier is created).
   */
  algorithms?: readonly string[];
  /** Accepted `typ` values. Default `at+jwt` (RFC 9068 §4); set `['JWT']` for providers that do not type. */
  types?: readonly string[];
  /** Clock tolerance for `exp`, `nbf`, `iat`, in seconds. Default 30. */
  clockToleranceSeconds?: number;
}

const defaultAlgorithms = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];
/** Claims of an OpenID ID token that RFC 9068 access tokens do not carry (`auth_time` may, so it is not here). */
const idTokenClaims = ['nonce', 'at_hash', 'c_hash'];

/**
 * Validates a JWT access token per RFC 9068 and returns its principal: header shape and `typ`, an
 * allowed asymmetric algorithm, the signature against the issuer's JWKS, `iss`, `aud`, `exp`, `nbf`
 * and `iat` with a small tolerance, and `sub`. Unknown `crit` headers are refused, and so are ID tokens
 * (by `typ`, and by their `nonce`/`at_hash`/`c_hash` claims). Every failure is
 * `invalid_token`; what exactly failed goes to `detail`, for logs.
 */
export async function verifyJwtAccessToken(
  token: string,
  rules: JwtAccessTokenRules,
  keys: JwksCache,
  now: number,
): Promise<Principal> {
  const algorithms = (rules.algorithms ?? defaultAlgorithms).filter((alg) => alg !== 'none' && !alg.startsWith('HS'));
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    if (token.length > 16_384 || token.split('.').length !== 3) throw new TypeError('not a compact JWS');
    header = decodeProtectedHeader(token);
  } catch {
    throw invalidToken('the access token is malformed');
  }
  const types = (rules.types ?? ['at+jwt']).map((t) => t.toLowerCase());
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
  if (!typ || !types.includes(typ)) throw invalidToken('the token is not an access token', `typ ${String(header.typ)}`);
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
    throw invalidToken('the access token uses an algorithm this API does not accept', `alg ${String(header.alg)}`);
  }
  const key = await keys.keyFor({ kid: typeof header.kid === 'string' ? header.kid : undefined, alg: header.alg });
  const toleranceSeconds = rules.clockToleranceSeconds ?? 30;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      issuer: rules.issuer,
      audience: typeof rules.audience === 'string' ? rules.audience : [...rules.audience],
      algorithms,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: toleranceSeconds,
      currentDate: new Date(now),
    }));
  } catch (error) {
    const expired = error instanceof errors.JWTExpired;
    throw invalidToken(
      expired ? 'the access token has expired' : 'the access token is not valid',
      (error as Error).message,
    );
  }
  // jose checks that `iat` is a number but compares it with the clock only under `maxTokenAge`; a token
  // issued "later" than now beyond the tolerance comes from a skewed or forged clock (RFC 9068 §4).
  if ((payload.iat as number) > now / 1000 + toleranceSeconds) {
    throw invalidToken('the access token is not valid', `iat ${String(payload.iat)} is in the future`);
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw invalidToken('the access token has no subject');
  // The typ check above is the primary guard; this one holds when `types` is widened to `JWT` for a
  // provider that does not type its access tokens, as ID tokens are typed `JWT` too.
  if (idTokenClaims.some((claim) => claim in payload)) {
    throw invalidToken('the token is not an access token', 'ID token claims (nonce, at_hash or c_hash)');
  }
  const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
  const scopes = new Set(typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []);
  return {
    // RFC 9068 §2.2: a client-credentials token's sub is the client itself; it never stands for a user.
    kind: clientId !== undefined && payload.sub === clientId ? 'client' : 'user',
    issuer: rules.issuer,
    subject: payload.sub,
    clientId,
    scopes,
    claims: payload,
  };
}
