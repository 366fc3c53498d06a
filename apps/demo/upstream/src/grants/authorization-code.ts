import { InvalidGrantError } from '../errors.js';
import type { GrantStore, IssuedTokens } from '../grant-store.js';
import type { SocialClient } from '../options.js';
import { type Params, requiredParam } from '../params.js';
import { verifyPkce } from '../pkce.js';

/**
 * The `authorization_code` grant (RFC 6749 §4.1.3, RFC 7636 §4.6): the code is single use, lives 60 s
 * and is bound to the client, the redirect_uri and the S256 challenge it was issued with.
 */
export function redeemAuthorizationCode(
  store: GrantStore,
  client: SocialClient,
  params: Params,
  now: number,
): IssuedTokens {
  const code = requiredParam(params, 'code');
  const redirectUri = requiredParam(params, 'redirect_uri');
  const codeVerifier = requiredParam(params, 'code_verifier');
  const used = store.useCode(code);
  if (!used) throw new InvalidGrantError('the code is invalid or expired');
  const { record, firstUse } = used;
  if (!firstUse) {
    // A code presented twice was probably stolen: revoke what its first use issued (RFC 6749 §4.1.2).
    store.revokeGrant(record.grantId);
    throw new InvalidGrantError('the code was already used');
  }
  if (record.expiresAt <= now) throw new InvalidGrantError('the code is invalid or expired');
  if (record.clientId !== client.clientId) throw new InvalidGrantError('the code was issued to another client');
  if (record.redirectUri !== redirectUri)
    throw new InvalidGrantError('redirect_uri does not match the authorization request');
  if (!verifyPkce(codeVerifier, record.codeChallenge))
    throw new InvalidGrantError('code_verifier does not match the code_challenge');
  return store.openGrant({ id: record.grantId, userId: record.userId, clientId: client.clientId, scope: record.scope });
}
