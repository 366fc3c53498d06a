import { type BeginAuthorizationContext, beginAuthorization } from './begin-authorization.js';
import type { ClientContext } from './client-context.js';
import { type CompleteSignInContext, completeSignIn } from './complete-sign-in.js';
import { SignInError, type SignInErrorCode } from './errors.js';
import type { IdTokenClaims } from './id-token-claims.js';
import { signInTransactions } from './transaction-store.js';

/** How a silent sign-in ended: signed in, or why not (the provider's code, a timeout, or a failure). */
export type SilentSignInResult =
  | { status: 'signed-in'; claims: IdTokenClaims }
  | { status: 'login_required' | 'consent_required' | 'interaction_required' | 'timeout' }
  | { status: 'failed'; error: SignInErrorCode | 'failed' };

export type SilentSignInContext = BeginAuthorizationContext &
  CompleteSignInContext &
  Pick<ClientContext, 'silentRedirectUri' | 'loadFrame'>;

// The provider's answers that mean "not without the user" (OpenID Connect Core §3.1.2.6).
const needsTheUser = ['login_required', 'consent_required', 'interaction_required'] as const;

/**
 * Signs in without showing anything: a `prompt=none` authorization back to `silentRedirectUri`,
 * loaded out of sight (a hidden iframe), its response completed like a redirect's by
 * {@link completeSignIn}. The provider's "needs the user" codes and a timeout are statuses; any other
 * refusal is `failed` with its code.
 */
export async function trySilentSignIn(timeoutMs: number, context: SilentSignInContext): Promise<SilentSignInResult> {
  const redirectUri = context.silentRedirectUri;
  if (!redirectUri) throw new TypeError('trySilentSignIn needs the silentRedirectUri option');
  const url = await beginAuthorization({ prompt: 'none', redirectUri }, context);
  const answer = await context.loadFrame(url, timeoutMs);
  if (answer === undefined) {
    signInTransactions.drop(context.storage, new URL(url).searchParams.get('state'));
    return { status: 'timeout' };
  }
  try {
    await completeSignIn(answer, context);
    return { status: 'signed-in', claims: (context.memory.tokens as NonNullable<typeof context.memory.tokens>).claims };
  } catch (error) {
    const code = error instanceof SignInError ? error.code : 'failed';
    return (needsTheUser as readonly string[]).includes(code)
      ? { status: code as (typeof needsTheUser)[number] }
      : { status: 'failed', error: code };
  }
}
