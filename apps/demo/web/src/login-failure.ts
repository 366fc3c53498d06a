/**
 * What to tell the user when a sign-in ends on `/authentication/login-failed?error=<code>` (the BFF)
 * or a public-client callback fails: the provider's OAuth code, or one of the BFF's or the SDK's own.
 */
const sentences: Readonly<Record<string, string>> = Object.freeze({
  access_denied: 'Access was denied: the sign-in was cancelled, or you declined to let this app use your account.',
  login_required: 'You are no longer signed in at the identity provider. Please sign in again.',
  consent_required: 'This app needs your permission to use your account. Sign in again and allow access to continue.',
  interaction_required: 'The identity provider needs you to complete a step yourself. Please sign in again.',
  account_selection_required: 'Please choose which account to use at the identity provider.',
  invalid_state:
    'This sign-in response does not belong to a sign-in started in this browser, or it was already used. Please start again.',
  invalid_callback: 'The sign-in response was incomplete. Please start again.',
  login_failed: 'The sign-in could not be completed. Please try again.',
  provider_unavailable: 'The identity provider could not be reached. Please try again in a moment.',
  temporarily_unavailable: 'Signing in is temporarily unavailable. Please try again in a moment.',
  server_error: 'Something went wrong on our side while signing you in. Please try again.',
  invalid_request: 'The sign-in request was refused because this app is misconfigured. Please contact the site owner.',
  invalid_scope: 'This app asked for access the identity provider does not allow. Please contact the site owner.',
  unauthorized_client: 'This app is not allowed to sign users in this way. Please contact the site owner.',
  unsupported_response_type:
    'The identity provider does not support how this app signs in. Please contact the site owner.',
  invalid_issuer: 'The sign-in response came from an unexpected identity provider, so it was refused.',
  invalid_id_token: 'The identity provider’s answer could not be verified, so the sign-in was refused.',
  token_request_failed: 'The identity provider refused to complete the sign-in. Please try again.',
  account_mismatch:
    'You signed in as a different account while giving this app more access, so nothing changed. Use your own account.',
});

const fallback = 'The sign-in did not complete. Please try again.';
const codePattern = /^[A-Za-z0-9_.-]{1,64}$/;

/** A readable sentence for a sign-in error code; an unknown or missing code gets a general one. */
export function describeLoginFailure(code: string | null | undefined): string {
  return code && Object.hasOwn(sentences, code) ? (sentences[code] as string) : fallback;
}

/** The code itself, when it is worth showing (small print for support); `undefined` for anything odd. */
export function displayableErrorCode(code: string | null | undefined): string | undefined {
  return code && codePattern.test(code) ? code : undefined;
}
