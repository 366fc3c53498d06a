import { useMemo } from 'react';
import type { FetchFunction } from './client.js';
import { useGatehouseContext } from './context.js';

/**
 * A `fetch` for the app's API, the same function across renders while `scopes` are the same.
 *
 * - BFF client: the BFF's `fetch` (cookie + `x-csrf` on same-origin calls); the BFF attaches the
 *   token its route is configured for. With `scopes`, a session not granted them throws
 *   `AccessTokenNotAvailableError` before calling, whose `redirect()` asks the BFF for the missing
 *   ones without signing out (incremental consent). A 401 throws `LoginRequiredError`.
 * - Public client: attaches an access token for `scopes` (default: the sign-in scopes) to the
 *   provider's `authorizedUrls` only. Without a token it throws `AccessTokenNotAvailableError`, whose
 *   `redirect()` signs in (asking for the missing scopes).
 */
export function useAuthorizedFetch(scopes?: readonly string[]): FetchFunction {
  const { adapter, authorizedUrls } = useGatehouseContext('useAuthorizedFetch()');
  const scopesKey = scopes ? [...scopes].sort().join(' ') : undefined;
  const urlsKey = authorizedUrls?.join(' ');
  // biome-ignore lint/correctness/useExhaustiveDependencies: scopes and URLs count by value, not by array identity
  return useMemo(
    () =>
      adapter.authorizedFetch(
        scopesKey === undefined ? undefined : scopesKey.split(' ').filter(Boolean),
        authorizedUrls,
      ),
    [adapter, scopesKey, urlsKey],
  );
}
