import { createHmac } from 'node:crypto';
import { secretsEqual } from './constant-time.js';

/**
 * Graph-style `appsecret_proof`: lowercase hex HMAC-SHA256 of the access token keyed with the client's
 * secret. Only the app's server holds the secret, so a token leaked from a browser is useless alone.
 */
export function computeAppsecretProof(accessToken: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(accessToken).digest('hex');
}

export function isValidAppsecretProof(accessToken: string, clientSecret: string, proof: string): boolean {
  return secretsEqual(proof, computeAppsecretProof(accessToken, clientSecret));
}
