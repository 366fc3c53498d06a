import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { randomToken } from '../../primitives/random.js';
import { idTokenAlg } from '../../protocol/signing-algorithms.js';
import type { KeyRing } from '../../stores/key-ring.js';

export interface IdTokenInput {
  sub: string;
  clientId: string;
  nonce?: string | undefined;
  authTime: number;
  amr: readonly string[];
  sid: string;
  /** The access token issued with it, for `at_hash`. */
  accessToken?: string | undefined;
  /** Scope-permitted user claims (`name`, `email`, …). */
  claims: Record<string, unknown>;
}

/**
 * Signs an OpenID Connect ID token: `iss`, `sub`, `aud`, `exp`, `iat`, `auth_time`, `nonce` exactly
 * when the request had one, `amr`, `sid`, `at_hash` when issued with an access token.
 */
export async function signIdToken(
  keys: KeyRing,
  issuer: string,
  input: IdTokenInput,
  ttlSeconds: number,
  nowMs: number,
): Promise<string> {
  const { kid, key } = await keys.signingKey(idTokenAlg);
  const iat = Math.floor(nowMs / 1000);
  const payload: Record<string, unknown> = {
    ...input.claims,
    auth_time: input.authTime,
    amr: input.amr,
    sid: input.sid,
  };
  if (input.nonce !== undefined) payload.nonce = input.nonce;
  if (input.accessToken !== undefined) payload.at_hash = halfHash(input.accessToken);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: idTokenAlg, kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setSubject(input.sub)
    .setAudience(input.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(randomToken(12))
    .sign(key);
}

/** OpenID Core §3.1.3.6: base64url of the left half of the SHA-256 of the value (RS256/ES256). */
export function halfHash(value: string): string {
  const digest = createHash('sha256').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
