import type { AppState } from '../redirect-state/redirect-state.js';
import { acceptTokenResponse } from './accept-token-response.js';
import type { ClientContext } from './client-context.js';
import { requestTokens, type TokenRequestContext } from './token-request.js';
import { type ValidateCallbackContext, validateCallback } from './validate-callback.js';

export type CompleteSignInContext = ValidateCallbackContext &
  TokenRequestContext &
  Pick<ClientContext, 'now' | 'appState' | 'issuer' | 'redirectUri' | 'memory' | 'scopes'>;

/**
 * Completes a sign-in from its authorization response: {@link validateCallback}, then the code is
 * redeemed with the transaction's PKCE verifier and the answer accepted by
 * {@link acceptTokenResponse} into the client's memory. Returns where the app goes back to and its
 * saved object.
 */
export async function completeSignIn(
  href: string,
  context: CompleteSignInContext,
): Promise<{ returnUrl: string; state: AppState | undefined }> {
  const { code, transaction } = await validateCallback(href, context);
  const response = await requestTokens(
    {
      grant_type: 'authorization_code',
      code,
      // Transactions saved by earlier versions did not record theirs.
      redirect_uri: transaction.redirectUri ?? context.redirectUri,
      code_verifier: transaction.verifier,
    },
    context,
  );
  context.memory.tokens = acceptTokenResponse(response, {
    issuer: context.issuer,
    clientId: context.clientId,
    now: context.now(),
    nonce: transaction.nonce,
    scopes: transaction.scopes ?? context.scopes,
  });
  return { returnUrl: transaction.returnUrl, state: context.appState.take(transaction.appStateId) };
}
