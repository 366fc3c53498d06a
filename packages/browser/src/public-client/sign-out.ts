import type { ClientContext } from './client-context.js';

export type SignOutContext = Pick<
  ClientContext,
  'memory' | 'discover' | 'clientId' | 'postLogoutRedirectUri' | 'origin' | 'navigate'
>;

/**
 * Forgets the tab's tokens, then sends the browser to the provider's end-session endpoint with
 * `id_token_hint`, `client_id` and `post_logout_redirect_uri` — when the provider has one.
 *
 * @see OpenID Connect RP-Initiated Logout §2
 */
export async function signOut(context: SignOutContext): Promise<void> {
  const idToken = context.memory.tokens?.idToken;
  context.memory.tokens = undefined;
  const provider = await context.discover();
  if (!provider.end_session_endpoint) return;
  const url = new URL(provider.end_session_endpoint);
  if (idToken) url.searchParams.set('id_token_hint', idToken);
  url.searchParams.set('client_id', context.clientId);
  url.searchParams.set('post_logout_redirect_uri', context.postLogoutRedirectUri ?? `${context.origin}/`);
  context.navigate(url.href);
}
