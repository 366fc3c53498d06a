import type { AppState } from '../redirect-state/redirect-state.js';
import { type BeginAuthorizationContext, signIn } from './begin-authorization.js';
import type { ClientContext } from './client-context.js';
import { type RenewContext, renewTokens } from './renew.js';

/** The result of asking for a token: one, or the way to get one by signing in (the `TryGetToken` idea). */
export type AccessTokenResult =
  | { status: 'ok'; accessToken: string; expiresAt: number }
  | { status: 'redirect'; redirect: (options?: { returnUrl?: string; state?: AppState }) => Promise<void> };

export type AccessTokenContext = RenewContext &
  BeginAuthorizationContext &
  Pick<ClientContext, 'renewalMarginMs' | 'navigate'>;

/**
 * The tab's access token while it is more than the renewal margin from expiry, else a renewed one
 * ({@link renewTokens}); without either, a `redirect()` that signs in.
 */
export async function requestAccessToken(context: AccessTokenContext): Promise<AccessTokenResult> {
  const { tokens } = context.memory;
  const fresh =
    tokens && tokens.expiresAt - context.renewalMarginMs > context.now() ? tokens : await renewTokens(context);
  if (fresh) return { status: 'ok', accessToken: fresh.accessToken, expiresAt: fresh.expiresAt };
  return { status: 'redirect', redirect: (options) => signIn(options, context) };
}
