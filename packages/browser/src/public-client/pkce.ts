import { randomValue, toBase64Url } from './base64url.js';
import type { PublicClientEnvironment } from './client-context.js';

/** A PKCE pair: a 256-bit random `verifier` and its S256 `challenge` (RFC 7636 §4.1–4.2). */
export async function createPkce(
  crypto: PublicClientEnvironment['crypto'],
): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomValue(32, crypto);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: toBase64Url(new Uint8Array(digest)) };
}
