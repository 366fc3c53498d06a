import {
  type ClientCredentials,
  type Fetch,
  type ProviderMetadata,
  ProviderUnavailableError,
  requestTokens,
  TokenEndpointError,
  type TokenResponse,
} from '@gatehouse/oidc-client';
import { RefreshUnavailableError } from './refresh-unavailable.js';

/** How a refresh at the provider went. */
export type RefreshAttempt =
  /** `sentAt`: when the request that got this answer left, to date the token's expiry from. */
  | { kind: 'done'; response: TokenResponse; sentAt: number }
  /** `invalid_grant`: the provider no longer honours this refresh token. */
  | { kind: 'refused' }
  | { kind: 'transient'; error: RefreshUnavailableError };

/** What each try was, for the refresh counter. */
export type RefreshTry = 'done' | 'retried' | 'failed' | 'unavailable';

export interface RefreshCall {
  metadata: ProviderMetadata;
  client: ClientCredentials;
  fetch: Fetch;
  timeoutMs: number;
  now: () => number;
  observe?: (outcome: RefreshTry, detail?: string) => void;
}

/**
 * How long a refresher may hold its lock and how long others wait for it: {@link refreshAtProvider}
 * makes at most two attempts of `timeoutMs`, and waiters wait for both, so they see its outcome
 * instead of giving up early. The lock outlives that, so it is never taken over mid-refresh.
 */
export function refreshLockTiming(timeoutMs: number): { lockSeconds: number; waitMs: number } {
  const waitMs = 2 * timeoutMs + 1_000;
  return { waitMs, lockSeconds: Math.ceil(waitMs / 1000) + 5 };
}

/**
 * Presents `refreshToken` (narrowed to `scope` when given), and once more at once when the first
 * answer was lost or was a transient failure: if the provider had rotated, its grace window returns
 * the same successor, so the rotation is not lost — a later refresh with the old token would look
 * like reuse and end the whole family. Other refusals (`invalid_client`, a malformed answer) are the
 * BFF's own problem and throw.
 */
export async function refreshAtProvider(
  call: RefreshCall,
  refreshToken: string,
  scope?: string,
): Promise<RefreshAttempt> {
  const grant: Record<string, string> = { grant_type: 'refresh_token', refresh_token: refreshToken };
  if (scope) grant.scope = scope;
  let lastFailure: RefreshUnavailableError | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (attempt > 0) call.observe?.('retried');
    const sentAt = call.now();
    try {
      const response = await requestTokens(call.metadata, call.client, grant, {
        fetch: call.fetch,
        timeoutMs: call.timeoutMs,
      });
      call.observe?.('done');
      return { kind: 'done', response, sentAt };
    } catch (error) {
      lastFailure = transientFailure(error);
      if (!lastFailure) {
        call.observe?.('failed', error instanceof TokenEndpointError ? error.oauthError : 'other');
        if (error instanceof TokenEndpointError && error.oauthError === 'invalid_grant') return { kind: 'refused' };
        throw error;
      }
    }
  }
  const error = lastFailure as RefreshUnavailableError;
  call.observe?.('unavailable', error.reason);
  return { kind: 'transient', error };
}

/** The retryable form of a failed token request, or `undefined` when retrying cannot help. */
function transientFailure(error: unknown): RefreshUnavailableError | undefined {
  if (error instanceof ProviderUnavailableError) {
    return new RefreshUnavailableError(error.timedOut ? 'provider_timeout' : 'provider_unavailable', { cause: error });
  }
  if (
    error instanceof TokenEndpointError &&
    ((error.status ?? 0) >= 500 ||
      error.oauthError === 'temporarily_unavailable' ||
      error.oauthError === 'server_error')
  ) {
    return new RefreshUnavailableError('provider_unavailable', { cause: error });
  }
  return undefined;
}
