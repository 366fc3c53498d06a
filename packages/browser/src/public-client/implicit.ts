import { browserPage } from '../browser-page.js';
import {
  type BeginImplicitSignInOptions,
  type CompleteImplicitSignInOptions,
  type ImplicitSignInResult,
  readImplicitResponse,
  startImplicitTransaction,
} from './implicit-response.js';

/**
 * Starts a legacy implicit sign-in, for providers that still require it (prefer `createPublicClient`,
 * code + PKCE): draws `state` and, for `id_token token`, `nonce` (256 bits each), keeps them in
 * `storage` and returns the authorization URL to navigate to.
 *
 * @see RFC 6749 §4.2.1, OpenID Core §3.2.2.1
 * @example
 * location.assign(beginImplicitSignIn({ authorizationEndpoint, clientId: 'legacy', redirectUri, scopes: ['openid', 'api'] }));
 */
export function beginImplicitSignIn(options: BeginImplicitSignInOptions): string {
  return startImplicitTransaction({ ...options, storage: options.storage ?? browserPage().sessionStorage });
}

/**
 * Completes a legacy implicit sign-in on the redirect page. Reads the fragment only (never the
 * query), takes the transaction its `state` names (unknown or replayed → `invalid_state`), checks
 * `iss` when present (`invalid_issuer`), surfaces a provider error by its code, and for
 * `id_token token` checks the ID token's `iss`, `aud`, `exp`, `nonce` and `at_hash`
 * (`invalid_id_token`). The fragment leaves the address bar first, whatever happens next.
 *
 * The ID token's signature is not verified: its claims identify the user to this page only and
 * must not be sent to a backend as proof of identity.
 *
 * @see RFC 6749 §4.2.2, OpenID Core §3.2.2.8–3.2.2.11
 * @example
 * const { accessToken, expiresAt } = await completeImplicitSignIn({ issuer: 'https://id.example.com', clientId: 'legacy' });
 */
export async function completeImplicitSignIn(options: CompleteImplicitSignInOptions): Promise<ImplicitSignInResult> {
  const page = browserPage();
  const url = new URL(options.url ?? page.location.href);
  // The tokens leave the address bar (and the history) whatever happens next.
  if (options.url === undefined) page.history.replaceState(page.history.state, '', `${url.pathname}${url.search}`);
  return readImplicitResponse(url.href, options.storage ?? page.sessionStorage, {
    issuer: options.issuer,
    clientId: options.clientId,
    now: options.now ?? Date.now(),
  });
}
