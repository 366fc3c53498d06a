import { TokenEndpointError } from '@gatehouse/oidc-client';
import type { BffContext } from '../context.js';
import { accessTokenForSession } from '../proxy/session-token.js';
import { type LoadedSession, sessionStoreKey } from '../session/session-store.js';
import { UpstreamCallError, type UpstreamCallFailure } from './upstream-call-error.js';
import { exchangeForUpstreamToken, type UpstreamToken } from './upstream-token-exchange.js';

export type SessionUpstreamTokenResult =
  | { kind: 'token'; token: UpstreamToken }
  /**
   * The session is gone, its refresh failed, or the authorization server no longer accepts its access
   * token as the subject of an exchange (`token_rejected`: the grant was revoked): sign in again.
   */
  | { kind: 'ended'; reason: 'session_expired' | 'token_expired' | 'refresh_failed' | 'token_rejected' }
  | { kind: 'refused'; reason: Exclude<UpstreamCallFailure, 'url_not_allowed'> };

/** Carries a session's end out of the single-flight exchange (not an error anyone else sees). */
class SessionEnded extends Error {
  constructor(readonly reason: 'session_expired' | 'token_expired' | 'refresh_failed' | 'token_rejected') {
    super(reason);
  }
}

/**
 * The user's token at `upstream` for a browser session: from this process's cache while it lives,
 * else by exchanging the session's access token (refreshed first when due, as for `user` routes) at
 * the authorization server — one exchange per session and upstream at a time.
 */
export async function upstreamTokenForSession(
  context: BffContext,
  current: LoadedSession & { sessionId: string },
  upstream: string,
): Promise<SessionUpstreamTokenResult> {
  try {
    const token = await context.upstreamTokens.get(sessionStoreKey(current.sessionId), upstream, async () => {
      const session = await accessTokenForSession(context, current.sessionId, current);
      if (session.kind === 'ended') throw new SessionEnded(session.reason);
      if (session.kind === 'refused') throw new SessionEnded('token_rejected'); // no scopes asked: cannot happen
      try {
        return await exchangeForUpstreamToken(
          context.metadata,
          { clientId: context.config.clientId, clientSecret: context.config.clientSecret },
          session.accessToken,
          upstream,
          { fetch: context.fetch, now: context.now },
        );
      } catch (error) {
        // RFC 8693 §2.2.2: an unacceptable subject token is `invalid_request`.
        if (error instanceof TokenEndpointError && error.oauthError === 'invalid_request')
          throw new SessionEnded('token_rejected');
        throw error;
      }
    });
    return { kind: 'token', token };
  } catch (error) {
    if (error instanceof SessionEnded) return { kind: 'ended', reason: error.reason };
    if (error instanceof UpstreamCallError && error.reason !== 'url_not_allowed')
      return { kind: 'refused', reason: error.reason };
    throw error;
  }
}
