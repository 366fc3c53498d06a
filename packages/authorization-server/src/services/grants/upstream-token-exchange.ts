import type { RegisteredClient } from '../../protocol/client-metadata.js';
import {
  InvalidGrantError,
  InvalidRequestError,
  InvalidTargetError,
  TemporarilyUnavailableError,
} from '../../protocol/errors.js';
import type { UpstreamApi } from '../upstreams/upstream-api.js';
import { UpstreamTokenError } from '../upstreams/upstream-errors.js';
import type { UpstreamProviders } from '../upstreams/upstream-providers.js';

/** What exchanging for an upstream token uses. */
export interface UpstreamTokenExchangeDeps {
  upstreams: { providers: Pick<UpstreamProviders, 'config'>; api: Pick<UpstreamApi, 'credentials'> };
  now: () => number;
}

/** The answer: the upstream's own token, its remaining lifetime when known, and the proof it wants. */
export interface UpstreamTokenResponse {
  [key: string]: string | number | undefined;
  access_token: string;
  issued_token_type: string;
  token_type: 'Bearer';
  expires_in?: number;
  appsecret_proof?: string;
}

/** `audience=upstream:<name>` asks for the user's token at that upstream. */
export const upstreamAudiencePrefix = 'upstream:';

/**
 * Token exchange for a user's upstream access token (RFC 8693 with `audience=upstream:<name>`): how a
 * BFF or app server obtains it to call the upstream's API, never the browser unless that server hands
 * it on. Only clients registered with the upstream in `upstream_tokens`; the token is refreshed here
 * first when due; `appsecret_proof` is added for upstreams that require it, so the caller never
 * needs the upstream's client secret. No scope narrowing: the upstream decides what its token allows.
 */
export async function exchangeForUpstreamToken(
  deps: UpstreamTokenExchangeDeps,
  client: RegisteredClient,
  sub: string,
  audience: string,
  requestedScope: string | undefined,
): Promise<UpstreamTokenResponse> {
  const name = audience.slice(upstreamAudiencePrefix.length);
  if (!deps.upstreams.providers.config(name) || !client.upstream_tokens.includes(name))
    throw new InvalidTargetError('this client may not obtain tokens for that upstream');
  if (requestedScope !== undefined) throw new InvalidRequestError('scope cannot be set for an upstream token');
  try {
    const credentials = await deps.upstreams.api.credentials(sub, name);
    const expiresIn =
      credentials.expiresAt === null ? undefined : Math.max(0, Math.floor((credentials.expiresAt - deps.now()) / 1000));
    return {
      access_token: credentials.accessToken,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      ...(expiresIn === undefined ? {} : { expires_in: expiresIn }),
      ...(credentials.appsecretProof ? { appsecret_proof: credentials.appsecretProof } : {}),
    };
  } catch (error) {
    if (!(error instanceof UpstreamTokenError)) throw error;
    if (error.reason === 'upstream_unavailable')
      throw new TemporarilyUnavailableError(`${name} is not answering; try again`);
    // not_linked / reconsent_required: the user must (re)connect the upstream account at the provider.
    throw new InvalidGrantError(
      error.reason === 'not_linked'
        ? `the user has no linked ${name} account`
        : `the user must sign in with ${name} again (upstream_reconsent_required)`,
    );
  }
}
