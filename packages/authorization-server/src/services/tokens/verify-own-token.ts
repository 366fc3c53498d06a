import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import type { KeyRing } from '../../stores/key-ring.js';

export interface OwnTokenRules {
  /** Accepted `typ` header values (compared case-insensitively, `application/` prefix allowed). */
  types: readonly string[];
  /** Accept a token past its `exp` (an `id_token_hint` may be expired). Default false. */
  allowExpired?: boolean;
}

const maxTokenLength = 16 * 1024;

/**
 * Verifies a JWT this server signed: a key from our key ring, its algorithm, `iss`, `typ`, and `exp`
 * unless `allowExpired`. Returns the payload, or undefined for anything else — malformed, foreign,
 * tampered or expired tokens are all just "not ours".
 */
export async function verifyOwnToken(
  keys: KeyRing,
  issuer: string,
  token: string,
  rules: OwnTokenRules,
  nowMs: number,
): Promise<JWTPayload | undefined> {
  if (token.length > maxTokenLength || token.split('.').length !== 3) return undefined;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
  if (typeof header.kid !== 'string' || typeof header.alg !== 'string') return undefined;
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : '';
  if (!rules.types.some((allowed) => allowed.toLowerCase() === typ)) return undefined;
  const key = await keys.verificationKey(header.kid, header.alg);
  if (!key) return undefined;
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer,
      algorithms: [header.alg],
      currentDate: new Date(nowMs),
      ...(rules.allowExpired ? { currentDate: new Date(0) } : {}),
    });
    return payload;
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined;
    throw error;
  }
}
