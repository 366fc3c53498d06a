import { createHash } from 'node:crypto';
import type { IndexedEntry, JsonValue, Store } from '@gatehouse/store';
import { type TokenCipher, TokenDecryptionError } from './token-cipher.js';

const namespace = 'bff_session';
/** Opened tokens kept at most (see `SessionRecords.#opened`); beyond it the oldest goes. */
const maxOpened = 10_000;

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

/** A session with the version a compare-and-set update must name. */
export interface LoadedSession {
  session: Session;
  version: number;
}

/** How long a session lives: since its last activity, and since its login. */
export interface SessionLifetimes {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
}

/** A session as stored: its tokens are one AES-256-GCM ciphertext bound to the record's key. */
export type SealedSession = Omit<Session, 'tokens'> & { sealedTokens: string };

/** What reading a record found when its tokens could not be opened (rotated-out key, or altered). */
export const unopenable = Symbol('unopenable session');

/**
 * Session records in the store, one per session under a hash of its id (so a store dump holds no
 * usable cookie value), with the tokens sealed under the configured key list (so it holds no usable
 * token either). Writes after the first are compare-and-set on the record's version. Knows nothing
 * of caches or of who must hear that a session ended: {@link SessionStore} composes those.
 */
export class SessionRecords {
  readonly #store: Store;
  readonly #cipher: TokenCipher;
  readonly #lifetimes: SessionLifetimes;
  /**
   * The tokens last opened per record, with the ciphertext they came from. A read still fetches the
   * record from the store every time (a session ended elsewhere is seen on the next call); only when
   * the stored ciphertext is exactly the one opened before is the AES-GCM decryption and its JSON
   * parse skipped — the same ciphertext under the same key and record binding opens to the same
   * tokens. Bounded like the session cache; a record deleted here drops its entry.
   */
  readonly #opened = new Map<string, { sealedTokens: string; tokens: SessionTokens }>();

  constructor(store: Store, cipher: TokenCipher, lifetimes: SessionLifetimes) {
    this.#store = store;
    this.#cipher = cipher;
    this.#lifetimes = lifetimes;
  }

  /** Writes a new session under `key`, starting its idle and absolute clocks at `now`. */
  async create(key: string, session: Omit<Session, 'lastSeenAt' | 'absoluteExpiresAt'>, now: number) {
    const full: Session = {
      ...session,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.#lifetimes.absoluteTimeoutSeconds * 1000,
    };
    const version = await this.#store.put(namespace, key, this.#seal(key, full), this.#writeOptions(full, now));
    return { session: full, version } satisfies LoadedSession;
  }

  /**
   * The live session under `key`; `undefined` when there is none or it outlived a limit (that record
   * is deleted on the spot); {@link unopenable} when its tokens do not open (the caller ends it).
   */
  async read(key: string, now: number): Promise<LoadedSession | undefined | typeof unopenable> {
    const entry = await this.#store.getEntry<SealedSession>(namespace, key);
    if (!entry) return undefined;
    const stored = entry.value;
    if (!this.isLive(stored, now)) {
      this.#opened.delete(key);
      await this.#store.delete(namespace, key);
      return undefined;
    }
    const tokens = this.#openTokens(key, stored.sealedTokens);
    if (tokens === unopenable) return unopenable;
    const { sealedTokens: _, ...rest } = stored;
    return { session: { ...rest, tokens }, version: entry.version };
  }

  #openTokens(key: string, sealedTokens: string): SessionTokens | typeof unopenable {
    const known = this.#opened.get(key);
    if (known && known.sealedTokens === sealedTokens) return known.tokens;
    let tokens: SessionTokens;
    try {
      tokens = JSON.parse(this.#cipher.open(sealedTokens, key)) as SessionTokens;
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) throw error;
      return unopenable;
    }
    this.#opened.delete(key);
    if (this.#opened.size >= maxOpened) this.#opened.delete(this.#opened.keys().next().value as string);
    this.#opened.set(key, { sealedTokens, tokens });
    return tokens;
  }

  /** The record as stored, tokens still sealed, live or not; `undefined` when absent. */
  async readSealed(key: string): Promise<SealedSession | undefined> {
    return (await this.#store.getEntry<SealedSession>(namespace, key))?.value;
  }

  /** Every session record under a user or provider-session index (see {@link userIndex}). */
  async findIndexed(index: string): Promise<IndexedEntry<SealedSession>[]> {
    return (await this.#store.findByIndex<SealedSession>(index)).filter((entry) => entry.namespace === namespace);
  }

  /**
   * Writes `session` if the stored one is still at `version`; the new version, or `undefined` when
   * another request changed it first.
   */
  async compareAndSet(key: string, version: number, session: Session, now: number): Promise<number | undefined> {
    return this.#store.compareAndSet(
      namespace,
      key,
      version,
      this.#seal(key, session),
      this.#writeOptions(session, now),
    );
  }

  /** Deletes the record; whether there was one. */
  async delete(key: string): Promise<boolean> {
    this.#opened.delete(key);
    return this.#store.delete(namespace, key);
  }

  /** Deletes whatever is still filed under `index`; how many records that was. */
  async deleteIndexed(index: string): Promise<number> {
    return this.#store.deleteByIndex(index);
  }

  /** The refresh token sealed in a record; `null` when it holds none or its tokens do not open. */
  refreshTokenOf(key: string, record: SealedSession): string | null {
    try {
      return (JSON.parse(this.#cipher.open(record.sealedTokens, key)) as SessionTokens).refreshToken;
    } catch (error) {
      if (!(error instanceof TokenDecryptionError)) throw error;
      return null;
    }
  }

  /** Whether a session is within both its idle and its absolute limit at `now`. */
  isLive(session: Pick<Session, 'lastSeenAt' | 'absoluteExpiresAt'>, now: number): boolean {
    return now < session.absoluteExpiresAt && now < session.lastSeenAt + this.#lifetimes.idleTimeoutSeconds * 1000;
  }

  #seal(key: string, session: Session): SealedSession {
    const { tokens, ...rest } = session;
    return { ...rest, sealedTokens: this.#cipher.seal(JSON.stringify(tokens), key) };
  }

  /** The record expires with the session, and is filed under its user and provider session. */
  #writeOptions(session: Session, now: number) {
    const idleEnd = session.lastSeenAt + this.#lifetimes.idleTimeoutSeconds * 1000;
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

/** The index of every session of one user at one provider. */
export function userIndex(issuer: string, subject: string): string {
  return `bff-user:${hashPart(issuer)}:${hashPart(subject)}`;
}

/** The index of every session tied to one provider session (`sid`). */
export function providerSessionIndex(issuer: string, sid: string): string {
  return `bff-provider-session:${hashPart(issuer)}:${hashPart(sid)}`;
}

// Index keys have a length limit and a character rule; issuers, subjects and sids are the provider's.
function hashPart(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32);
}
