import type { RegisteredClient } from '../clients/client-registry.js';
import type { AsContext } from '../context.js';
import { InvalidGrantError, InvalidRequestError, InvalidScopeError } from '../errors.js';
import type { Params } from '../http/params.js';
import { issueUserTokens, type TokenResponse } from '../tokens/issue-user-tokens.js';

/**
 * The `refresh_token` grant (RFC 6749 §6) with rotation: a new refresh token every time, bound to the
 * client, never outliving the grant's absolute end. Reuse of a rotated token revokes the family; a
 * retry within the grace window gets the same successor. A narrower `scope` narrows the access token;
 * a wider one is `invalid_scope`.
 */
export async function refreshTokens(
  context: AsContext,
  client: RegisteredClient,
  params: Params,
): Promise<TokenResponse> {
  const token = params.get('refresh_token');
  if (!token) throw new InvalidRequestError('refresh_token is required');
  const peeked = await context.refreshTokens.peek(token, client.client_id);
  if (!peeked) throw new InvalidGrantError('the refresh token is invalid, expired or revoked');
  const grant = await context.grants.find(peeked.grantId);
  if (!grant) throw new InvalidGrantError('the refresh token is invalid, expired or revoked');

  const requested = params.get('scope');
  const scopes = requested === undefined ? grant.scopes : [...new Set(requested.split(' ').filter(Boolean))];
  const wider = scopes.filter((scope) => !grant.scopes.includes(scope));
  if (wider.length > 0) throw new InvalidScopeError(`scope exceeds the grant: ${wider.join(' ').slice(0, 200)}`);

  const now = context.now();
  const successorExpiresAt = Math.min(grant.expiresAt, now + context.config.refreshTokenIdleTtl * 1000);
  const outcome = await context.refreshTokens.use(token, client.client_id, successorExpiresAt);
  if (outcome.kind === 'invalid') throw new InvalidGrantError('the refresh token is invalid, expired or revoked');
  if (outcome.kind === 'reused') {
    await context.grants.revoke(outcome.grantId);
    context.log.warn({ clientId: client.client_id }, 'rotated refresh token reused; its family is revoked');
    throw new InvalidGrantError('the refresh token was already used');
  }
  return issueUserTokens(context, grant, { scopes, refreshToken: outcome.token });
}
