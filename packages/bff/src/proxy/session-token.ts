import { createHash } from 'node:crypto';
import { waitForLock } from '@gatehouse/store';
import type { BffContext } from '../context.js';
import { refreshAtProvider, refreshLockTiming } from '../refresh/refresh-at-provider.js';
import { RefreshUnavailableError, refreshRetryAfterSeconds } from '../refresh/refresh-unavailable.js';
import type { LoadedSession, Session, SessionTokens } from '../session/session-store.js';

const compareAndSetAttempts = 5;
/** A token this close to its expiry is not handed out as a fallback when its refresh fails. */
const fallbackMinimumLifeMs = 5_000;
/** Where a session's transient refresh failure is remembered for `Retry-After`, so waiters fail fast. */
const failureNamespace = 'bff-refresh-failures';

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
 *
 * Faults never end a session: a refresh whose answer was lost (timeout, reset, 5xx) is retried at
 * once — within the provider's grace window that returns the successor it had already issued — and
 * if that fails too, the still-valid current token is used, else {@link RefreshUnavailableError}
 * (503/504, `Retry-After`) is thrown with the session and its refresh token untouched.
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
  const key = createHash('sha256').update(sessionId).digest('base64url');
  const timing = refreshLockTiming(context.config.refreshTimeoutMs);
  const waited = await waitForLock(context.store, `bff-refresh:${key}`, {
    ttlSeconds: timing.lockSeconds,
    waitMs: timing.waitMs,
    // Another request (here or on another instance) is refreshing: between tries, look for its result.
    recheck: async (): Promise<SessionTokenResult | undefined> => {
      const reread = await context.sessions.load(sessionId, context.now());
      if (!reread) return { kind: 'ended', reason: 'session_expired' };
      const refreshed = freshToken(context, reread.session.tokens, wanted);
      if (refreshed) context.metrics.refresh('merged');
      return refreshed;
    },
  });
  if (!waited) {
    // The holder is still at it (or died holding the lock): a transient state, not a sign-out.
    return fallbackOrThrow(context, current.session.tokens, wanted, new RefreshUnavailableError('refresh_pending'));
  }
  if ('rechecked' in waited) return waited.rechecked;
  try {
    return await refreshUnderLock(context, sessionId, key, wanted);
  } finally {
    await waited.release();
  }
}

async function refreshUnderLock(
  context: BffContext,
  sessionId: string,
  key: string,
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
  // A refresh of this session just failed for a transient reason: answer as it did until Retry-After
  // passes, rather than have every waiting request try the provider again in turn.
  const recentFailure = await context.store.get<{ reason: 'provider_unavailable' | 'provider_timeout' }>(
    failureNamespace,
    key,
  );
  if (recentFailure) return fallbackOrThrow(context, tokens, wanted, new RefreshUnavailableError(recentFailure.reason));

  const attempt = await refreshAtProvider(
    {
      metadata: context.metadata,
      client: { clientId: context.config.clientId, clientSecret: context.config.clientSecret },
      fetch: context.fetch,
      timeoutMs: context.config.refreshTimeoutMs,
      now: context.now,
      observe: (outcome, detail) => context.metrics.refresh(outcome, detail),
    },
    tokens.refreshToken,
    wanted,
  );
  if (attempt.kind === 'transient') {
    await context.store
      .put(failureNamespace, key, { reason: attempt.error.reason }, { ttlSeconds: refreshRetryAfterSeconds })
      .catch(() => undefined); // only an optimisation; the answer below stands without it
    return fallbackOrThrow(context, tokens, wanted, attempt.error);
  }
  if (attempt.kind === 'refused') {
    const reread = await context.sessions.load(sessionId, context.now());
    if (reread?.session.tokens.refreshToken === tokens.refreshToken) {
      await context.sessions.end(sessionId);
      context.metrics.signOut('refresh_failed');
      context.events.emit('session_ended', { cause: 'refresh_failed', sessions: 1, sub: reread.session.subject });
      return { kind: 'ended', reason: 'refresh_failed' };
    }
    if (!reread) return { kind: 'ended', reason: 'session_expired' };
    // Someone stored a newer refresh token meanwhile (a lock that expired under a stalled store):
    // use its result, or ask again shortly; the session is not over.
    return (
      freshToken(context, reread.session.tokens, wanted) ??
      fallbackOrThrow(context, reread.session.tokens, wanted, new RefreshUnavailableError('refresh_pending'))
    );
  }
  const { response, sentAt } = attempt;
  // From when the request left, not when a slow answer arrived: the provider dated it then.
  const expiresAt = sentAt + (response.expires_in ?? 300) * 1000;
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
  const now = context.now();
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

/** The current token while it still has a few seconds to live (it was only due for refresh), else `failure`. */
function fallbackOrThrow(
  context: BffContext,
  tokens: SessionTokens,
  wanted: string | undefined,
  failure: RefreshUnavailableError,
): SessionTokenResult {
  const candidate =
    wanted === undefined
      ? { accessToken: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt }
      : tokens.scoped?.[wanted];
  if (candidate && candidate.expiresAt - fallbackMinimumLifeMs > context.now()) {
    return { kind: 'token', ...candidate, scope: wanted ?? tokens.scope };
  }
  throw failure;
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
