import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BffContext } from '../context.js';
import { TokenEndpointError } from '../oidc-client/errors.js';
import { requestTokens } from '../oidc-client/token-request.js';
import type { LoadedSession, Session } from '../session/session-store.js';

/** How long a refresh may hold the per-session lock, in seconds. */
const refreshLockSeconds = 30;
/** How long a request waits for another instance's refresh of the same session, in milliseconds. */
const waitForOtherRefreshMs = 10_000;
const compareAndSetAttempts = 5;

export type SessionTokenResult =
  | { kind: 'token'; accessToken: string }
  /** The session is gone or its refresh token was refused: the browser must log in again. */
  | { kind: 'ended'; reason: 'session_expired' | 'token_expired' | 'refresh_failed' };

/**
 * The session's access token, refreshed first when it expires within the configured margin.
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
): Promise<SessionTokenResult> {
  if (isFresh(context, current.session)) return { kind: 'token', accessToken: current.session.tokens.accessToken };
  const lockName = `bff-refresh:${createHash('sha256').update(sessionId).digest('base64url')}`;
  const deadline = Date.now() + waitForOtherRefreshMs;
  for (;;) {
    const lock = await context.store.acquireLock(lockName, refreshLockSeconds);
    if (lock) {
      try {
        return await refreshUnderLock(context, sessionId);
      } finally {
        await lock.release();
      }
    }
    // Another request (here or on another instance) is refreshing: wait for its result.
    await sleep(25);
    const reread = await context.sessions.load(sessionId, context.now());
    if (!reread) return { kind: 'ended', reason: 'session_expired' };
    if (isFresh(context, reread.session)) return { kind: 'token', accessToken: reread.session.tokens.accessToken };
    if (Date.now() > deadline) return { kind: 'ended', reason: 'refresh_failed' };
  }
}

async function refreshUnderLock(context: BffContext, sessionId: string): Promise<SessionTokenResult> {
  const loaded = await context.sessions.load(sessionId, context.now());
  if (!loaded) return { kind: 'ended', reason: 'session_expired' };
  const { tokens } = loaded.session;
  if (isFresh(context, loaded.session)) return { kind: 'token', accessToken: tokens.accessToken };
  if (!tokens.refreshToken) {
    return tokens.accessTokenExpiresAt > context.now()
      ? { kind: 'token', accessToken: tokens.accessToken }
      : { kind: 'ended', reason: 'token_expired' };
  }
  let response: Awaited<ReturnType<typeof requestTokens>>;
  try {
    response = await requestTokens(
      context.metadata,
      { clientId: context.config.clientId, clientSecret: context.config.clientSecret },
      { grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
      { fetch: context.fetch },
    );
  } catch (error) {
    if (error instanceof TokenEndpointError && error.oauthError === 'invalid_grant') {
      const reread = await context.sessions.load(sessionId, context.now());
      if (reread?.session.tokens.refreshToken === tokens.refreshToken) await context.sessions.end(sessionId);
      else if (reread && isFresh(context, reread.session)) {
        return { kind: 'token', accessToken: reread.session.tokens.accessToken };
      }
      return { kind: 'ended', reason: 'refresh_failed' };
    }
    throw error;
  }
  const now = context.now();
  const refreshed = {
    accessToken: response.access_token,
    accessTokenExpiresAt: now + (response.expires_in ?? 300) * 1000,
    // Rotation: keep the new refresh token; a provider that does not rotate returns none.
    refreshToken: response.refresh_token ?? tokens.refreshToken,
    idToken: response.id_token ?? tokens.idToken,
    scope: response.scope ?? tokens.scope,
  };
  // Other writes (a sliding /bff/user) may land meanwhile: merge the tokens into the latest copy,
  // never drop the rotated refresh token.
  let latest: LoadedSession | undefined = loaded;
  for (let attempt = 0; attempt < compareAndSetAttempts && latest; attempt += 1) {
    const next: Session = { ...latest.session, tokens: refreshed };
    if ((await context.sessions.update(sessionId, latest.version, next, now)) !== undefined) break;
    latest = await context.sessions.load(sessionId, context.now());
  }
  return { kind: 'token', accessToken: refreshed.accessToken };
}

function isFresh(context: BffContext, session: Session): boolean {
  return session.tokens.accessTokenExpiresAt - context.config.refreshMarginSeconds * 1000 > context.now();
}
