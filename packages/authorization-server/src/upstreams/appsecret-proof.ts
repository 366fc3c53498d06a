import { createHmac } from 'node:crypto';

/** `appsecret_proof`: lowercase hex HMAC-SHA256 of the access token, keyed with the client secret. */
export function appsecretProof(accessToken: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(accessToken).digest('hex');
}
