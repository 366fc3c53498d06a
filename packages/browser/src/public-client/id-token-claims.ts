import { fromBase64UrlText } from './base64url.js';
import { SignInError } from './errors.js';

export type IdTokenClaims = Record<string, unknown> & { iss: string; sub: string; aud: string | string[] };

const refuse = (reason: string) => new SignInError('invalid_id_token', reason);

/**
 * Checks the claims of an ID token received **directly from the token endpoint** over TLS. OpenID
 * Connect Core §3.1.3.7 (6) lets such a client rely on TLS instead of checking the signature; every
 * other check applies: `iss` exactly the issuer, `aud` containing the client (`azp` equal to it when
 * there are several audiences), `exp` in the future, `iat` present, `sub` a string, and `nonce`
 * exactly the one this sign-in sent. Returns the claims, or throws {@link SignInError}
 * `invalid_id_token` — also for a token that is not a JWT at all: it comes from the network.
 */
export function checkIdTokenClaims(
  idToken: string,
  expected: {
    issuer: string;
    clientId: string;
    /** The sign-in's nonce. On a refresh, the original one: then it may also be absent (Core §12.2). */
    nonce: string | undefined;
    nonceRequired: boolean;
    now: number;
    clockSkewSeconds?: number;
  },
): IdTokenClaims {
  const parts = idToken.split('.');
  if (parts.length !== 3) throw refuse('ID token is not a compact JWS');
  let claims: unknown;
  try {
    claims = JSON.parse(fromBase64UrlText(parts[1] as string));
  } catch {
    throw refuse('ID token payload is not JSON');
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims))
    throw refuse('ID token payload is not an object');
  const c = claims as Record<string, unknown>;
  const skew = (expected.clockSkewSeconds ?? 60) * 1000;
  const audiences = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (c.iss !== expected.issuer) throw refuse('ID token iss mismatch');
  if (!audiences.includes(expected.clientId)) throw refuse('ID token aud mismatch');
  if (audiences.length > 1 && c.azp !== expected.clientId) throw refuse('ID token azp mismatch');
  if (typeof c.exp !== 'number' || c.exp * 1000 + skew <= expected.now) throw refuse('ID token expired');
  if (typeof c.iat !== 'number') throw refuse('ID token iat missing');
  if (typeof c.sub !== 'string' || c.sub === '') throw refuse('ID token sub missing');
  const nonceMatches = expected.nonceRequired
    ? c.nonce === expected.nonce
    : c.nonce === undefined || c.nonce === expected.nonce;
  if (!nonceMatches) throw refuse('ID token nonce mismatch');
  return c as IdTokenClaims;
}
