import { createHash } from 'node:crypto';
import type { JsonValue, Store } from '@gatehouse/store';
import { type TokenCipher, TokenDecryptionError } from './token-cipher.js';

const namespace = 'bff_session';

/** Tokens of a session, in the clear, as the BFF uses them; never sent to the browser. */
export interface SessionTokens {
  accessToken: string;
  /** Milliseconds since the epoch. */
  accessTokenExpiresAt: number;
  refreshToken: string | null;
  idToken: string;
  /** The scope granted at login (space-separated). */
  scope: string;
  /** Narrower access tokens obtained with the refresh token, by their sorted scope. */
  scoped?: Record<string, { accessToken: string; expiresAt: number }>;
}

/** A signed-in session as the BFF sees it. */
export interface Session {
  /** The provider's `iss` and `sub`: together, the user's identity. */
  issuer: string;
  subject: string;
  /** The provider's session id (`sid` of the ID token), for back-channel logout. */
  providerSessionId: string | null;
  /** Claims shown to the SPA by `/bff/user`. */
  claims: Record<string, JsonValue>;
  tokens: SessionTokens;
  createdAt: number;
  lastSeenAt: number;
  /** When the session ends however active it is (milliseconds since the epoch). */
  absoluteExpiresAt: number;
}

/**
 * The browser's session could not be opened — its tokens were sealed under a token-encryption key
 * no longer configured (rotated out), or altered — and has been ended: the browser must sign in
 * again. Thrown by {@link SessionStore.loadRecent} only; the app answers 401 `session_expired`.
 */
export class SessionExpiredError extends Error {
  override readonly name = 'SessionExpiredError';
  readonly code = 'ERR_BFF_SESSION_EXPIRED';
}

/** What reading a record found when its tokens could not be opened (the record is ended by then). */
const unopenable = Symbol('unopenable session');

/** A session with the version a compare-and-set update must name. */
export interface LoadedSession {
  session: Session;
  version: number;
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
   * once, and while notifications are down nothing is reused. 0 turns it off. Default 0.
   */
  sharedCacheMs?: number;
}

/** The channel on which instances announce a changed or ended session (by its store key). */
const changesChannel = 'bff-session-changes';
/** The message that drops every cached session. */
const everySession = '*';

type StoredSession = {
  issuer: string;
  subject: string;
  providerSessionId: string | null;
  claims: Record<string, JsonValue>;
  /** The tokens as one AES-256-GCM ciphertext bound to this record's key. */
  sealedTokens: string;
  createdAt: number;
  lastSeenAt: number;
  absoluteExpiresAt: number;
};

/**
 * Session records in the store. The store key is a hash of the session id, so a store dump holds no
 * usable cookie value, and the tokens are sealed with the configured key list, so it holds no usable
 * token either. Every update is compare-and-set: a request holding a stale copy gets `undefined` and
 * re-reads instead of overwriting newer tokens.
 */
export class SessionStore {
  readonly #store: Store;
  readonly #cipher: TokenCipher;
  readonly #limits: SessionLimits;
  readonly #recent = new Map<string, { loaded: LoadedSession; readAt: number }>();
  /** Whether this instance hears other instances' changes (see `listenForChanges`). */
  #listening = false;
  #stopListening: (() => Promise<void>) | undefined;
  /** Counts invalidations, so a read that raced with one is not cached. */
  #epoch = 0;
  readonly #endListeners: ((sessionKey: string) => void)[] = [];

  constructor(store: Store, cipher: TokenCipher, limits: SessionLimits) {
    this.#store = store;
    this.#cipher = cipher;
    this.#limits = limits;
  }

  /**
   * Subscribes to other instances' session changes, when the store can deliver them and
   * `sharedCacheMs` is on; until then (and whenever delivery is interrupted) only `cacheMs` applies.
   */
  async listenForChanges(): Promise<void> {
    const notifications = this.#store.notifications;
    if (!notifications || !this.#limits.sharedCacheMs) return;
    this.#stopListening = await notifications.subscribe(
      changesChannel,
      (key) => {
        this.#epoch += 1;
        if (key === everySession) this.#recent.clear();
        else this.#recent.delete(key);
      },
      () => {
        this.#epoch += 1;
        this.#recent.clear();
      },
    );
    this.#listening = true;
  }

  /**
   * Calls `listener` with the store key (a hash of the id) of each session this instance ends:
   * logout, back-channel logout, a refused refresh. For dropping what the process keeps per session.
   */
  onEnd(listener: (sessionKey: string) => void): void {
    this.#endListeners.push(listener);
  }

  #ended(key: string): void {
    for (const listener of this.#endListeners) listener(key);
  }

  async stopListening(): Promise<void> {
    this.#listening = false;
    await this.#stopListening?.().catch(() => undefined);
  }

  /**
   * Like {@link load}, but may answer from this process's copy: for `sharedCacheMs` while change
   * notifications are flowing, else for `cacheMs` (never past the session's own limits). For the
   * per-request check of the browser's calls; decisions that write (refresh, logout) use `load`.
   * A session that cannot be opened is ended and throws {@link SessionExpiredError}, so the browser
   * is told its session is over rather than that it has none.
   */
  async loadRecent(sessionId: string, now: number): Promise<LoadedSession | undefined> {
    const shared = this.#listening && this.#store.notifications?.connected === true;
    const cacheMs = shared ? (this.#limits.sharedCacheMs ?? 0) : (this.#limits.cacheMs ?? 0);
    if (cacheMs <= 0) return this.#loadForBrowser(sessionId, now);
    const key = sessionStoreKey(sessionId);
    const hit = this.#recent.get(key);
    if (hit && now - hit.readAt < cacheMs && this.#isLive(hit.loaded.session, now)) return hit.loaded;
    const epoch = this.#epoch;
    const loaded = await this.#loadForBrowser(sessionId, now);
    this.#recent.delete(key);
    // A change announced while we read may be newer than what we got: don't keep it.
    if (loaded && epoch === this.#epoch) {
      if (this.#recent.size >= 10_000) this.#recent.delete(this.#recent.keys().next().value as string);
      this.#recent.set(key, { loaded, readAt: now });
    }
    return loaded;
  }

  /** Drops this instance's copy and tells the others to drop theirs. */
  async #announce(key: string): Promise<void> {
    this.#recent.delete(key);
    if (!this.#listening) return;
    this.#epoch += 1;
    await this.#store.notifications?.publish(changesChannel, key).catch(() => undefined);
  }

  #isLive(session: Session, now: number): boolean {
    return now < session.absoluteExpiresAt && now < session.lastSeenAt + this.#limits.idleTimeoutSeconds * 1000;
  }

  /** Stores a new session under a new id (the caller makes it; never one the browser sent). */
  async create(
    sessionId: string,
    session: Omit<Session, 'lastSeenAt' | 'absoluteExpiresAt'>,
    now: number,
  ): Promise<LoadedSession> {
    const full: Session = {
      ...session,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.#limits.absoluteTimeoutSeconds * 1000,
    };
    const key = sessionStoreKey(sessionId);
    const version = await this.#store.put(namespace, key, this.#seal(key, full), this.#writeOptions(full, now));
    return { session: full, version };
  }

  /**
   * The live session, or `undefined` when unknown, idle too long, past its absolute limit, or
   * sealed under a token-encryption key no longer configured (that one is ended on the spot).
   */
  async load(sessionId: string, now: number): Promise<LoadedSession | undefined> {
    const loaded = await this.#read(sessionId, now);
    return loaded === unopenable ? undefined : loaded;
  }

  async #loadForBrowser(sessionId: string, now: number): Promise<LoadedSession | undefined> {
    const loaded = await this.#read(sessionId, now);
    if (loaded === unopenable) throw new SessionExpiredError('the session could not be opened and was ended');
    return loaded;
  }

  async #read(sessionId: string, now: number): Promise<LoadedSession | undefined | typeof unopenable> {
    const key = sessionStoreKey(sessionId);
    const entry = await this.#store.getEntry<StoredSession>(namespace, key);
    if (!entry) return undefined;
    const stored = entry.value;
    if (!this.#isLive(stored as unknown as Session, now)) {
      await this.#store.delete(namespace, key);
      return undefined;
    }
    let tokens: SessionTokens;
    try {
      tokens = JSON.parse(this.#cipher.open(stored.sealedTokens, key)) as SessionTokens;
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) throw error;
      // The one place this is decided, for every route and the WebSocket handshake alike: tokens
      // nobody can open make a session nobody can use, so it ends here, everywhere, like a logout.
      await this.#endKey(key);
      return unopenable;
    }
    const { sealedTokens: _, ...rest } = stored;
    return { session: { ...rest, tokens }, version: entry.version };
  }

  /**
   * Writes `session` if the stored one is still at `version`; returns the new version, or
   * `undefined` when another request changed it first (re-read and decide again).
   */
  async update(sessionId: string, version: number, session: Session, now: number): Promise<number | undefined> {
    const key = sessionStoreKey(sessionId);
    this.#recent.delete(key);
    const written = await this.#store.compareAndSet(
      namespace,
      key,
      version,
      this.#seal(key, session),
      this.#writeOptions(session, now),
    );
    if (written !== undefined) await this.#announce(key);
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
    const entry = await this.#store.getEntry<StoredSession>(namespace, sessionKey);
    if (!entry || !(await this.#endKey(sessionKey))) return undefined;
    let refreshToken: string | null = null;
    try {
      refreshToken = (JSON.parse(this.#cipher.open(entry.value.sealedTokens, sessionKey)) as SessionTokens)
        .refreshToken;
    } catch (error) {
      // Sealed under a key no longer configured: ended all the same, with nothing to revoke.
      if (!(error instanceof TokenDecryptionError)) throw error;
    }
    return { subject: entry.value.subject, providerSessionId: entry.value.providerSessionId, refreshToken };
  }

  async #endKey(key: string): Promise<boolean> {
    this.#recent.delete(key);
    const ended = await this.#store.delete(namespace, key);
    this.#ended(key);
    await this.#announce(key);
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
    for (const entry of await this.#store.findByIndex<StoredSession>(index)) {
      this.#recent.delete(entry.id);
      if (entry.namespace !== namespace || !(await this.#store.delete(namespace, entry.id))) continue;
      this.#ended(entry.id);
      await this.#announce(entry.id);
      ended += 1;
      try {
        const tokens = JSON.parse(this.#cipher.open(entry.value.sealedTokens, entry.id)) as SessionTokens;
        if (tokens.refreshToken) refreshTokens.push(tokens.refreshToken);
      } catch {
        // Sealed under a key no longer configured: the session is ended all the same.
      }
    }
    // Sessions written meanwhile under the same index end too (without their tokens); we do not know
    // their keys, so every instance drops its whole cache.
    const late = await this.#store.deleteByIndex(index);
    if (late > 0) await this.#announce(everySession);
    return { ended: ended + late, refreshTokens };
  }

  #seal(key: string, session: Session): StoredSession {
    const { tokens, ...rest } = session;
    return { ...rest, sealedTokens: this.#cipher.seal(JSON.stringify(tokens), key) };
  }

  #writeOptions(session: Session, now: number) {
    const idleEnd = session.lastSeenAt + this.#limits.idleTimeoutSeconds * 1000;
    const endsAt = Math.min(idleEnd, session.absoluteExpiresAt);
    const indexes = [userIndex(session.issuer, session.subject)];
    if (session.providerSessionId) indexes.push(providerSessionIndex(session.issuer, session.providerSessionId));
    return { ttlSeconds: Math.max(0.001, (endsAt - now) / 1000), indexes };
  }
}

/** The store key of a session: a hash, so neither the store nor a cache keyed by it holds the cookie value. */
export function sessionStoreKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}

function userIndex(issuer: string, subject: string): string {
  return `bff-user:${hashPart(issuer)}:${hashPart(subject)}`;
}

function providerSessionIndex(issuer: string, sid: string): string {
  return `bff-provider-session:${hashPart(issuer)}:${hashPart(sid)}`;
}

// Index keys have a length limit and a character rule; issuers, subjects and sids are the provider's.
function hashPart(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32);
}
