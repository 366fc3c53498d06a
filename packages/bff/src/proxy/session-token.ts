import { createHash } from 'node:crypto';
import { requestTokens, TokenEndpointError } from '@gatehouse/oidc-client';
import { waitForLock } from '@gatehouse/store';
import type { BffContext } from '../context.js';
import type { LoadedSession, Session, SessionTokens } from '../session/session-store.js';

/** How long a refresh may hold the per-session lock, in seconds. */
const refreshLockSeconds = 30;
/** How long a request waits for another instance's refresh of the same session, in milliseconds. */
const waitForOtherRefreshMs = 10_000;
const compareAndSetAttempts = 5;

export type SessionTokenResult =
  | { kind: 'token'; accessToken: string; expiresAt: number; scope: string }
  /** The session is gone or its refresh token was refused: the browser must log in again. */
  | { kind: 'ended'; reason: 'session_expired' | 'token_expired' | 'refresh_failed' }
  /** The session was never granted some of the requested scopes. */
  | { kind: 'refused'; reason: 'scope_not_granted' };

/**
 * The session's access token for `scopes` (default: everything granted at login), refreshed first
 * when it expires within the configured margin. A narrower scope set gets its own token, obtained with
 * the refresh token and a narrower `scope` (RFC 6749 §6) and kept in the session; a scope never
 * granted is refused, never requested.
 *
 * One refresh per session at a time across every BFF instance: the refresher holds the store lock
 * and re-reads the session before calling the provider, so a request that waited finds the new token
 * and never sends the (rotated, now invalid) old refresh token. A refused refresh ends the session
 * only if a re-read shows the refused refresh token is still the stored one.
 */
export async function accessTokenForSession(
  context: BffContext,
  sessionId: string,
  current: LoadedSession,
  scopes: readonly string[] = [],
): Promise<SessionTokenResult> {
  const granted = new Set(current.session.tokens.scope.split(' ').filter(Boolean));
  const requested = new Set(scopes);
  if ([...requested].some((scope) => !granted.has(scope))) return { kind: 'refused', reason: 'scope_not_granted' };
  const wanted = requested.size === 0 || requested.size === granted.size ? undefined : [...requested].sort().join(' ');

  const usable = freshToken(context, current.session.tokens, wanted);
  if (usable) return usable;
  const lockName = `bff-refresh:${createHash('sha256').update(sessionId).digest('base64url')}`;
  const waited = await waitForLock(context.store, lockName, {
    ttlSeconds: refreshLockSeconds,
    waitMs: waitForOtherRefreshMs,
    // Another request (here or on another instance) is refreshing: between tries, look for its result.
    recheck: async (): Promise<SessionTokenResult | undefined> => {
      const reread = await context.sessions.load(sessionId, context.now());
      if (!reread) return { kind: 'ended', reason: 'session_expired' };
      const refreshed = freshToken(context, reread.session.tokens, wanted);
      if (refreshed) context.metrics.refresh('merged');
      return refreshed;
    },
  });
  if (!waited) return { kind: 'ended', reason: 'refresh_failed' };
  if ('rechecked' in waited) return waited.rechecked;
  try {
    return await refreshUnderLock(context, sessionId, wanted);
  } finally {
    await waited.release();
  }
}

async function refreshUnderLock(
  context: BffContext,
  sessionId: string,
  wanted: string | undefined,
): Promise<SessionTokenResult> {
  const loaded = await context.sessions.load(sessionId, context.now());
  if (!loaded) return { kind: 'ended', reason: 'session_expired' };
  const { tokens } = loaded.session;
  const usable = freshToken(context, tokens, wanted);
  if (usable) {
    context.metrics.refresh('merged'); // another request refreshed while this one waited for the lock
    return usable;
  }
  if (!tokens.refreshToken) {
    const main = wanted === undefined && tokens.accessTokenExpiresAt > context.now();
    return main
      ? { kind: 'token', accessToken: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt, scope: tokens.scope }
      : { kind: 'ended', reason: 'token_expired' };
  }
  let response: Awaited<ReturnType<typeof requestTokens>>;
  try {
    const grant: Record<string, string> = { grant_type: 'refresh_token', refresh_token: tokens.refreshToken };
    if (wanted) grant.scope = wanted;
    response = await requestTokens(
      context.metadata,
      { clientId: context.config.clientId, clientSecret: context.config.clientSecret },
      grant,
      { fetch: context.fetch },
    );
  } catch (error) {
    context.metrics.refresh('failed', error instanceof TokenEndpointError ? error.oauthError : 'unavailable');
    if (error instanceof TokenEndpointError && error.oauthError === 'invalid_grant') {
      const reread = await context.sessions.load(sessionId, context.now());
      if (reread?.session.tokens.refreshToken === tokens.refreshToken) {
        await context.sessions.end(sessionId);
        context.metrics.signOut('refresh_failed');
      } else if (reread) {
        const now = freshToken(context, reread.session.tokens, wanted);
        if (now) return now;
      }
      return { kind: 'ended', reason: 'refresh_failed' };
    }
    throw error;
  }
  context.metrics.refresh('done');
  const now = context.now();
  const expiresAt = now + (response.expires_in ?? 300) * 1000;
  // Rotation: keep the new refresh token; a provider that does not rotate returns none.
  const rotated = { refreshToken: response.refresh_token ?? tokens.refreshToken };
  const update = (current: SessionTokens): SessionTokens =>
    wanted === undefined
      ? {
          ...current,
          ...rotated,
          accessToken: response.access_token,
          accessTokenExpiresAt: expiresAt,
          idToken: response.id_token ?? current.idToken,
          scope: response.scope ?? current.scope,
        }
      : {
          ...current,
          ...rotated,
          scoped: { ...current.scoped, [wanted]: { accessToken: response.access_token, expiresAt } },
        };
  // Other writes (a sliding /bff/user) may land meanwhile: merge the tokens into the latest copy,
  // never drop the rotated refresh token.
  let latest: LoadedSession | undefined = loaded;
  for (let attempt = 0; attempt < compareAndSetAttempts && latest; attempt += 1) {
    const next: Session = { ...latest.session, tokens: update(latest.session.tokens) };
    if ((await context.sessions.update(sessionId, latest.version, next, now)) !== undefined) break;
    latest = await context.sessions.load(sessionId, context.now());
  }
  return {
    kind: 'token',
    accessToken: response.access_token,
    expiresAt,
    scope: wanted ?? response.scope ?? tokens.scope,
  };
}

/** The token for `wanted` (undefined: the login's) if it outlives the refresh margin. */
function freshToken(
  context: BffContext,
  tokens: SessionTokens,
  wanted: string | undefined,
): SessionTokenResult | undefined {
  const candidate =
    wanted === undefined
      ? { accessToken: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt }
      : tokens.scoped?.[wanted];
  if (!candidate || candidate.expiresAt - context.config.refreshMarginSeconds * 1000 <= context.now()) return undefined;
  return { kind: 'token', ...candidate, scope: wanted ?? tokens.scope };
}
