import type { ClientContext } from './client-context.js';
import { SignInError } from './errors.js';
import { type SignInTransaction, signInTransactions } from './transaction-store.js';

/** A response that passed {@link validateCallback}: its code, and the transaction it completes. */
export interface AuthorizationCallback {
  code: string;
  transaction: SignInTransaction;
}

export type ValidateCallbackContext = Pick<ClientContext, 'storage' | 'discover'>;

/**
 * Checks an authorization response (the redirect URI's query) before its code is redeemed. In this
 * order: the transaction its `state` names is taken, single-use whatever follows (`invalid_state`);
 * `iss` must be the issuer, and must be there if the provider says it sends it (`invalid_issuer`,
 * RFC 9207 §2.4); a provider's `error` is refused by its code; and a `code` must be present
 * (`invalid_request`).
 *
 * @see RFC 6749 §4.1.2, RFC 9207
 */
export async function validateCallback(href: string, context: ValidateCallbackContext): Promise<AuthorizationCallback> {
  const query = new URL(href).searchParams;
  const transaction = signInTransactions.take(context.storage, query.get('state'));
  const provider = await context.discover();
  const iss = query.get('iss');
  if (iss === null ? provider.authorization_response_iss_parameter_supported : iss !== provider.issuer) {
    throw new SignInError('invalid_issuer', 'the response names another issuer');
  }
  const error = query.get('error');
  if (error) throw SignInError.fromProvider(error, query.get('error_description'));
  const code = query.get('code');
  if (!code) throw new SignInError('invalid_request', 'no code in the response');
  return { code, transaction };
}
