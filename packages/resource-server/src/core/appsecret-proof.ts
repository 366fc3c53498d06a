import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `appsecret_proof`: lowercase hex HMAC-SHA256 of the access token keyed with the client's secret.
 * A server that holds the secret can prove a call is its own; a token stolen and replayed from
 * anywhere else lacks the proof.
 *
 * @example fetch(url, { headers: { authorization: `Bearer ${token}`, 'appsecret-proof': computeAppSecretProof(token, secret) } })
 */
export function computeAppSecretProof(accessToken: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(accessToken).digest('hex');
}

/** Compares a presented proof with the expected one in constant time. */
export function isValidAppSecretProof(accessToken: string, clientSecret: string, proof: string | undefined): boolean {
  if (typeof proof !== 'string' || !/^[0-9a-f]{64}$/.test(proof)) return false;
  const expected = Buffer.from(computeAppSecretProof(accessToken, clientSecret), 'hex');
  return timingSafeEqual(expected, Buffer.from(proof, 'hex'));
}
