import type { AppState } from '../redirect-state/redirect-state.js';
import { randomValue } from './base64url.js';
import type { ClientContext } from './client-context.js';
import { createPkce } from './pkce.js';
import { signInTransactions } from './transaction-store.js';

export interface AuthorizationRequest {
  /** Where the provider sends the browser back. Default: the client's `redirectUri`. */
  redirectUri?: string;
  /** Where the app goes once signed in; `completeSignIn()` hands it back. Default: the current page. */
  returnUrl?: string;
  /** The app's object, kept in this tab until the sign-in is complete. */
  state?: AppState;
  prompt?: 'login' | 'none';
  /**
   * The scopes to ask for. Default: the client's `scopes`. More than were granted is incremental
   * consent: the provider asks the user only about the scopes not yet consented to.
   */
  scopes?: readonly string[];
}

export type BeginAuthorizationContext = Pick<
  ClientContext,
  'storage' | 'crypto' | 'appState' | 'currentPath' | 'clientId' | 'redirectUri' | 'scopes' | 'discover'
>;

/**
 * Prepares a code + PKCE S256 authorization: reads the provider's metadata, draws `state`, `nonce`
 * and the code verifier (256 bits each), keeps the transaction in storage under its `state`, and
 * returns the authorization URL to send the browser to.
 *
 * @see RFC 6749 §4.1.1, RFC 7636 §4.3, OpenID Connect Core §3.1.2.1
 */
export async function beginAuthorization(
  request: AuthorizationRequest,
  context: BeginAuthorizationContext,
): Promise<string> {
  const provider = await context.discover();
  const redirectUri = request.redirectUri ?? context.redirectUri;
  const state = randomValue(32, context.crypto);
  const nonce = randomValue(32, context.crypto);
  const pkce = await createPkce(context.crypto);
  const scopes = request.scopes ?? context.scopes;
  signInTransactions.save(context.storage, state, {
    nonce,
    verifier: pkce.verifier,
    redirectUri,
    returnUrl: request.returnUrl ?? context.currentPath(),
    appStateId: request.state ? context.appState.save(request.state) : null,
    scopes,
  });
  const url = new URL(provider.authorization_endpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: context.clientId,
    redirect_uri: redirectUri,
    scope: scopes.join(' '),
    state,
    nonce,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  };
  if (request.prompt) params.prompt = request.prompt;
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

/** {@link beginAuthorization}, then sends the browser to the provider. */
export async function signIn(
  request: AuthorizationRequest | undefined,
  context: BeginAuthorizationContext & Pick<ClientContext, 'navigate'>,
): Promise<void> {
  context.navigate(await beginAuthorization(request ?? {}, context));
}
