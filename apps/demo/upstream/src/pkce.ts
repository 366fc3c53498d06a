import { createHash } from 'node:crypto';
import { secretsEqual } from './constant-time.js';

/** RFC 7636 §4.2: an S256 challenge is a base64url SHA-256, so exactly 43 characters. */
export function isS256Challenge(challenge: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(challenge);
}

/** RFC 7636 §4.6: whether BASE64URL(SHA256(code_verifier)) is the challenge the code was issued with. */
export function verifyPkce(codeVerifier: string, codeChallenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(codeVerifier)) return false; // RFC 7636 §4.1
  return secretsEqual(createHash('sha256').update(codeVerifier).digest('base64url'), codeChallenge);
}
