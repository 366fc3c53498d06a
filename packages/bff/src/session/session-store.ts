import type { Store } from '@gatehouse/store';
import { everySession, SessionCache } from './session-cache.js';
import { type SessionEndListener, SessionEndListeners } from './session-end-listeners.js';
import {
  type LoadedSession,
  providerSessionIndex,
  type Session,
  SessionRecords,
  sessionStoreKey,
  unopenable,
  userIndex,
} from './session-records.js';
import type { TokenCipher } from './token-cipher.js';

export type { LoadedSession, Session, SessionTokens } from './session-records.js';
export { sessionStoreKey } from './session-records.js';

/**
 * The browser's session could not be opened — its tokens were sealed under a token-encryption key
 * no longer configured (rotated out), or altered — and has been ended: the browser must sign in
 * again. Thrown by {@link SessionStore.loadRecent} only; the app answers 401 `session_expired`.
 */
export class SessionExpiredError extends Error {
  override readonly name = 'SessionExpiredError';
  readonly code = 'ERR_BFF_SESSION_EXPIRED';
}

/** A session ended by its store key: who it was, and the refresh token it held (to revoke). */
export interface EndedSession {
  subject: string;
  providerSessionId: string | null;
  /** `null` when it held none, or its tokens could not be opened. */
  refreshToken: string | null;
}

/** Sessions ended at once, with the refresh tokens they held (to revoke at the provider). */
export interface EndedSessions {
  ended: number;
  refreshTokens: string[];
}

export interface SessionLimits {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
  /**
   * How long this process may reuse a session it read, in milliseconds, for {@link SessionStore.loadRecent}.
   * 0 (default): every request reads the store. More trades freshness for speed: a logout on another
   * instance is seen here up to this much later.
   */
  cacheMs?: number;
  /**
   * With a store that notifies every instance of changes (Redis, memory), how long a session read may
   * be reused, in milliseconds: any change or end of the session on any instance drops the copy at
   * once, and while notifications are down nothing is reused. 0 (or absent) turns it off here; the
   * BFF passes its `sharedSessionCacheMs`, whose default is 15 000.
   */
  sharedCacheMs?: number;
}

/**
 * The BFF's sessions: sealed compare-and-set records in the store ({@link SessionRecords}), this
 * process's copies of recent reads ({@link SessionCache}), and who must hear that a session ended
 * ({@link SessionEndListeners}). Every update is compare-and-set: a request holding a stale copy gets
 * `undefined` and re-reads instead of overwriting newer tokens. Ending a session — however it
 * happens — deletes the record, tells the listeners, and drops every instance's copy.
 */
export class SessionStore {
  readonly #records: SessionRecords;
  readonly #cache: SessionCache<LoadedSession>;
  readonly #endListeners = new SessionEndListeners();

  constructor(store: Store, cipher: TokenCipher, limits: SessionLimits) {
    this.#records = new SessionRecords(store, cipher, limits);
    this.#cache = new SessionCache(store.notifications, limits);
  }

  /**
   * Subscribes to other instances' session changes, when the store can deliver them and
   * `sharedCacheMs` is on; until then (and whenever delivery is interrupted) only `cacheMs` applies.
   */
  async listenForChanges(): Promise<void> {
    await this.#cache.listen();
  }

  async stopListening(): Promise<void> {
    await this.#cache.stop();
  }

  /**
   * Calls `listener` with the store key (a hash of the id) of each session this instance ends:
   * logout, back-channel logout, a refused refresh. For dropping what the process keeps per session.
   */
  onEnd(listener: SessionEndListener): void {
    this.#endListeners.add(listener);
  }

  /**
   * Like {@link load}, but may answer from this process's copy: for `sharedCacheMs` while change
   * notifications are flowing, else for `cacheMs` (never past the session's own limits). For the
   * per-request check of the browser's calls; decisions that write (refresh, logout) use `load`.
   * A session that cannot be opened is ended and throws {@link SessionExpiredError}, so the browser
   * is told its session is over rather than that it has none.
   */
  async loadRecent(sessionId: string, now: number): Promise<LoadedSession | undefined> {
    const key = sessionStoreKey(sessionId);
    return this.#cache.read(
      key,
      now,
      (copy) => this.#records.isLive(copy.session, now),
      async () => {
        const loaded = await this.#read(key, now);
        if (loaded === unopenable) throw new SessionExpiredError('the session could not be opened and was ended');
        return loaded;
      },
    );
  }

  /** Stores a new session under a new id (the caller makes it; never one the browser sent). */
  async create(
    sessionId: string,
    session: Omit<Session, 'lastSeenAt' | 'absoluteExpiresAt'>,
    now: number,
  ): Promise<LoadedSession> {
    return this.#records.create(sessionStoreKey(sessionId), session, now);
  }

  /**
   * The live session, or `undefined` when unknown, idle too long, past its absolute limit, or
   * sealed under a token-encryption key no longer configured (that one is ended on the spot).
   */
  async load(sessionId: string, now: number): Promise<LoadedSession | undefined> {
    const loaded = await this.#read(sessionStoreKey(sessionId), now);
    return loaded === unopenable ? undefined : loaded;
  }

  async #read(key: string, now: number): Promise<LoadedSession | undefined | typeof unopenable> {
    const loaded = await this.#records.read(key, now);
    // The one place this is decided, for every route and the WebSocket handshake alike: tokens
    // nobody can open make a session nobody can use, so it ends here, everywhere, like a logout.
    if (loaded === unopenable) await this.#endKey(key);
    return loaded;
  }

  /**
   * Writes `session` if the stored one is still at `version`; returns the new version, or
   * `undefined` when another request changed it first (re-read and decide again).
   */
  async update(sessionId: string, version: number, session: Session, now: number): Promise<number | undefined> {
    const key = sessionStoreKey(sessionId);
    this.#cache.forget(key);
    const written = await this.#records.compareAndSet(key, version, session, now);
    if (written !== undefined) await this.#cache.announce(key);
    return written;
  }

  /** Ends one session. */
  async end(sessionId: string): Promise<boolean> {
    return this.#endKey(sessionStoreKey(sessionId));
  }

  /**
   * Ends the session stored under `sessionKey` (see {@link sessionStoreKey}) on every instance, as a
   * logout does, for a sign-in that replaces it. Returns what the caller needs to revoke its refresh
   * token, or `undefined` when there was no such session (or another request ended it first).
   */
  async endByKey(sessionKey: string): Promise<EndedSession | undefined> {
    const record = await this.#records.readSealed(sessionKey);
    if (!record || !(await this.#endKey(sessionKey))) return undefined;
    // Sealed under a key no longer configured: ended all the same, with nothing to revoke.
    const refreshToken = this.#records.refreshTokenOf(sessionKey, record);
    return { subject: record.subject, providerSessionId: record.providerSessionId, refreshToken };
  }

  async #endKey(key: string): Promise<boolean> {
    this.#cache.forget(key);
    const ended = await this.#records.delete(key);
    this.#endListeners.notify(key);
    await this.#cache.announce(key);
    return ended;
  }

  /**
   * Ends every session of a user at a provider, on every instance. Returns how many ended and their
   * refresh tokens, for the caller to revoke.
   */
  async endAllOfUser(issuer: string, subject: string): Promise<EndedSessions> {
    return this.#endIndexed(userIndex(issuer, subject));
  }

  /** Ends every session tied to one provider session (back-channel logout with `sid`). */
  async endAllOfProviderSession(issuer: string, providerSessionId: string): Promise<EndedSessions> {
    return this.#endIndexed(providerSessionIndex(issuer, providerSessionId));
  }

  async #endIndexed(index: string): Promise<EndedSessions> {
    const refreshTokens: string[] = [];
    let ended = 0;
    for (const entry of await this.#records.findIndexed(index)) {
      this.#cache.forget(entry.id);
      if (!(await this.#records.delete(entry.id))) continue;
      this.#endListeners.notify(entry.id);
      await this.#cache.announce(entry.id);
      ended += 1;
      try {
        const refreshToken = this.#records.refreshTokenOf(entry.id, entry.value);
        if (refreshToken) refreshTokens.push(refreshToken);
      } catch {
        // A record that cannot be read at all: the session is ended all the same.
      }
    }
    // Sessions written meanwhile under the same index end too (without their tokens); we do not know
    // their keys, so every instance drops its whole cache.
    const late = await this.#records.deleteIndexed(index);
    if (late > 0) await this.#cache.announce(everySession);
    return { ended: ended + late, refreshTokens };
  }
}
