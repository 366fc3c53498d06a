import {
  type ClientCredentials,
  type Fetch,
  type ProviderMetadata,
  requestTokens,
  TokenEndpointError,
  type TokenResponse,
} from '@gatehouse/oidc-client';
import { UpstreamCallError } from './upstream-call-error.js';

/** RFC 8693 §2.1. */
export const tokenExchangeGrantType = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3: the only token type asked for and given. */
export const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token';
/** `audience=upstream:<name>` asks the authorization server for the user's token at that upstream. */
const upstreamAudiencePrefix = 'upstream:';

/** A user's access token at an upstream, as the authorization server handed it out. */
export interface UpstreamToken {
  accessToken: string;
  /** Milliseconds since the epoch; undefined when the authorization server did not say. */
  expiresAt: number | undefined;
  /** Present when the upstream wants `appsecret_proof` on its API calls (a query parameter). */
  appsecretProof: string | undefined;
}

/**
 * Exchanges the user's access token from the authorization server (issued to this client) for the
 * user's token at `upstream` (RFC 8693, `audience=upstream:<name>`). The authorization server
 * refreshes the upstream token first when due. Throws {@link UpstreamCallError}: `consent_required`
 * (`invalid_grant`), `not_allowed` (`invalid_target`, `unauthorized_client`), `unavailable`
 * (`temporarily_unavailable`). Other refusals stay {@link TokenEndpointError}s, and an unreachable
 * authorization server a `ProviderUnavailableError`.
 */
export async function exchangeForUpstreamToken(
  metadata: ProviderMetadata,
  client: ClientCredentials,
  subjectToken: string,
  upstream: string,
  options: { fetch: Fetch; now: () => number },
): Promise<UpstreamToken> {
  let response: TokenResponse;
  try {
    response = await requestTokens(
      metadata,
      client,
      {
        grant_type: tokenExchangeGrantType,
        subject_token: subjectToken,
        subject_token_type: accessTokenType,
        requested_token_type: accessTokenType,
        audience: `${upstreamAudiencePrefix}${upstream}`,
      },
      { fetch: options.fetch },
    );
  } catch (error) {
    throw classifyExchangeFailure(error, upstream);
  }
  return readUpstreamTokenResponse(response, options.now());
}

/**
 * Checks what `requestTokens` does not: `issued_token_type` is an access token (RFC 8693 §2.2.1), and
 * an `appsecret_proof` is a hex string (it goes into a URL).
 */
export function readUpstreamTokenResponse(response: TokenResponse, now: number): UpstreamToken {
  // requestTokens returns the whole JSON object: the exchange's own fields are there.
  const fields = response as TokenResponse & Record<string, unknown>;
  if (fields.issued_token_type !== accessTokenType) {
    throw new TokenEndpointError('token exchange response: issued_token_type is not an access token', undefined, 200);
  }
  const proof = fields.appsecret_proof;
  if (proof !== undefined && (typeof proof !== 'string' || !/^[0-9a-fA-F]{16,256}$/.test(proof))) {
    throw new TokenEndpointError('token exchange response: appsecret_proof is not a hex string', undefined, 200);
  }
  return {
    accessToken: response.access_token,
    expiresAt: response.expires_in === undefined ? undefined : now + response.expires_in * 1000,
    appsecretProof: proof,
  };
}

/** The authorization server's refusal as an {@link UpstreamCallError} when it is one the caller acts on. */
function classifyExchangeFailure(error: unknown, upstream: string): unknown {
  if (!(error instanceof TokenEndpointError)) return error;
  const because = { cause: error };
  if (error.status === 503 && error.oauthError === undefined)
    return new UpstreamCallError('unavailable', upstream, 'the authorization server is unavailable', because);
  switch (error.oauthError) {
    case 'invalid_grant':
      return new UpstreamCallError(
        'consent_required',
        upstream,
        `the user has no usable grant at ${upstream}`,
        because,
      );
    case 'invalid_target':
    case 'unauthorized_client':
      return new UpstreamCallError(
        'not_allowed',
        upstream,
        `the authorization server does not let this client obtain ${upstream} tokens (${error.oauthError})`,
        because,
      );
    case 'temporarily_unavailable':
      return new UpstreamCallError('unavailable', upstream, `${upstream} is not answering`, because);
    default:
      return error;
  }
}
