import type { AppState } from '../redirect-state/redirect-state.js';
import { type BeginAuthorizationContext, signIn } from './begin-authorization.js';
import type { ClientContext } from './client-context.js';
import { accessTokenFor, type RenewContext, renewTokens } from './renew.js';

/** The result of asking for a token: one, or the way to get one by signing in (the `TryGetToken` idea). */
export type AccessTokenResult =
  | { status: 'ok'; accessToken: string; expiresAt: number; scopes: readonly string[] }
  | {
      status: 'redirect';
      /** Signs in for the scopes asked for (with those already granted) and comes back to `returnUrl`. */
      redirect: (options?: { returnUrl?: string; state?: AppState }) => Promise<void>;
      /** The scopes asked for that the tab's tokens do not carry; empty when there are no tokens at all. */
      missingScopes: readonly string[];
    };

export type AccessTokenContext = RenewContext &
  BeginAuthorizationContext &
  Pick<ClientContext, 'renewalMarginMs' | 'navigate'>;

/**
 * An access token for `scopes` (default: every scope granted at sign-in). One token per scope set: a
 * subset of the granted scopes gets its own, narrowed by a refresh with that `scope`, as the BFF does.
 * The token is used while it is more than the renewal margin from expiry, else renewed
 * ({@link renewTokens}). Scopes not yet granted, or no tokens at all, give a `redirect()` that signs in
 * for the granted scopes plus the missing ones: incremental consent.
 */
export async function requestAccessToken(
  context: AccessTokenContext,
  scopes: readonly string[] = [],
): Promise<AccessTokenResult> {
  const tokens = context.memory.tokens;
  const granted = tokens ? (tokens.scopes ?? context.scopes) : [];
  const wanted = [...new Set(scopes)].sort();
  const missingScopes = tokens ? wanted.filter((scope) => !granted.includes(scope)) : [];
  if (tokens && missingScopes.length === 0) {
    // All of the granted scopes is the sign-in's own token.
    const scope = wanted.length === 0 || granted.every((s) => wanted.includes(s)) ? undefined : wanted.join(' ');
    const fresh =
      accessTokenFor(tokens, scope, context.now() + context.renewalMarginMs) ??
      (await renewTokens(context, scope).then((renewed) => renewed && accessTokenFor(renewed, scope, context.now())));
    // Named one by one: the sign-in's token is the whole Tokens record, refresh token included.
    if (fresh) {
      const { accessToken, expiresAt } = fresh;
      return { status: 'ok', accessToken, expiresAt, scopes: scope === undefined ? granted : wanted };
    }
  }
  const ask = [...new Set([...context.scopes, ...granted, ...wanted])];
  return {
    status: 'redirect',
    redirect: (options) => signIn({ ...options, scopes: ask }, context),
    missingScopes,
  };
}
