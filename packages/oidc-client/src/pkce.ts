import { createHash, randomBytes } from 'node:crypto';

/** A PKCE verifier (256 bits, 43 characters) and its S256 challenge (RFC 7636 §4.1–4.2). */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
