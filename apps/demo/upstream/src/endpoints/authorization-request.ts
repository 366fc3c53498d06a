import { InvalidRequestError, InvalidScopeError, PageError, UnsupportedResponseTypeError } from '../errors.js';
import type { PendingRequest } from '../grant-store.js';
import type { SocialClient } from '../options.js';
import type { Params } from '../params.js';
import { isS256Challenge } from '../pkce.js';

const scopePattern = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/; // RFC 6749 §3.3
const defaultScope = 'public_profile';

/**
 * Who may be redirected to: the client must be known and the redirect_uri one of its registered URIs,
 * exactly. Failing either, the user sees a page and nobody is redirected (RFC 6749 §4.1.2.1).
 */
export function findClientAndRedirectUri(
  clients: ReadonlyMap<string, SocialClient>,
  params: Params,
): { client: SocialClient; redirectUri: string } {
  const client = clients.get(params.get('client_id') ?? '');
  if (!client) throw new PageError('Unknown app', 'The app that sent you here is not registered at Example Social.');
  const redirectUri = params.get('redirect_uri');
  if (redirectUri === undefined || !client.redirectUris.includes(redirectUri))
    throw new PageError('Invalid redirect', 'The app asked to return you to an address it has not registered.');
  return { client, redirectUri };
}

/**
 * The rest of the request, in order; once the redirect_uri is trusted, failures go back to it as
 * OAuth errors. PKCE with S256 is required: `plain`, or no method at all (which means plain, RFC 7636
 * §4.3), is refused.
 */
export function checkAuthorizationRequest(client: SocialClient, redirectUri: string, params: Params): PendingRequest {
  const responseType = params.get('response_type');
  if (responseType === undefined) throw new InvalidRequestError('response_type is required');
  if (responseType !== 'code') throw new UnsupportedResponseTypeError('only response_type=code is supported');
  const codeChallenge = params.get('code_challenge');
  if (params.get('code_challenge_method') !== 'S256' || codeChallenge === undefined)
    throw new InvalidRequestError('PKCE with code_challenge_method=S256 is required');
  if (!isS256Challenge(codeChallenge)) throw new InvalidRequestError('code_challenge is not a valid S256 challenge');
  const scope = params.get('scope') ?? defaultScope;
  if (!scopePattern.test(scope)) throw new InvalidScopeError('scope is malformed');
  return { clientId: client.clientId, redirectUri, state: params.get('state'), scope, codeChallenge };
}
