import { acceptNarrowedToken, acceptRefreshedTokens } from './accept-token-response.js';
import type { ClientContext } from './client-context.js';
import { requestTokens, type TokenRequestContext } from './token-request.js';
import type { AccessToken, Tokens } from './tokens.js';

export type RenewContext = TokenRequestContext &
  Pick<ClientContext, 'now' | 'locks' | 'issuer' | 'memory' | 'sessionEnded'>;

/** The access token in `tokens` for `scope` (undefined: the sign-in's), if it is still valid at `until`. */
export function accessTokenFor(tokens: Tokens, scope: string | undefined, until: number): AccessToken | undefined {
  const token = scope === undefined ? tokens : tokens.narrowed?.[scope];
  return token && token.expiresAt > until ? token : undefined;
}

/**
 * Renews the tab's access token — the sign-in's, or with `scope` (sorted, space-joined) one narrowed
 * to those scopes — with its refresh token, keeping the rotated one (RFC 6749 §6). One renewal at a
 * time across the client's tabs, under a Web Lock where the browser has them: tabs share their tokens
 * (see `shareTokensAcrossTabs`), so a renewal that waited finds the tokens another tab renewed and
 * takes them as they are, never sending the refresh token that was just rotated away. A refused
 * refresh (or any failure) forgets the tokens and reports the session ended, so the user signs in
 * again. Returns the tokens, if any remain.
 */
export async function renewTokens(context: RenewContext, scope?: string): Promise<Tokens | undefined> {
  const { memory } = context;
  const current = memory.tokens;
  if (!current?.refreshToken) return undefined;
  const run = async () => {
    // Another tab's renewed tokens are posted before it releases the lock; let one on its way land.
    if (context.locks) await new Promise((resolve) => setTimeout(resolve, 0));
    const latest = memory.tokens;
    if (!latest || (latest !== current && accessTokenFor(latest, scope, context.now()))) return latest;
    if (!latest.refreshToken) return undefined;
    try {
      const grant = { grant_type: 'refresh_token' as const, refresh_token: latest.refreshToken };
      const response = await requestTokens(scope === undefined ? grant : { ...grant, scope }, context);
      memory.tokens =
        scope === undefined
          ? acceptRefreshedTokens(
              response,
              { issuer: context.issuer, clientId: context.clientId, now: context.now() },
              latest,
            )
          : acceptNarrowedToken(response, scope, context.now(), latest);
    } catch {
      memory.tokens = undefined; // invalid_grant or worse: the user must sign in again
      context.sessionEnded();
    }
    return memory.tokens;
  };
  return context.locks ? context.locks.request(`gatehouse-renew:${context.clientId}`, run) : run();
}
