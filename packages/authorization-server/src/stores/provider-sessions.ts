import type { Store } from '@gatehouse/store';
import { type CookieSigner, clearCookie, readCookie, serializeCookie } from '../primitives/cookies.js';
import { randomToken } from '../primitives/random.js';

/** The provider's login session: who signed in, when and how, and which clients got tokens from it. */
export interface ProviderSession {
  [key: string]: string | number | string[] | null;
  sub: string;
  /** The `sid` claim: a separate random value, so ID tokens never carry the cookie's id. */
  sid: string;
  /** Seconds since the epoch. */
  authTime: number;
  amr: string[];
  /** Client ids that received an ID token in this session (back-channel logout targets). */
  clients: string[];
}

export const sessionCookieName = '__Host-gh-as-session';
const namespace = 'provider-sessions';
const purpose = 'provider-session';

/** Enough for every client of one sign-in to be added at once; more means something loops. */
const maxWriteAttempts = 20;

/** A session write lost the compare-and-set race too often to go on; the request fails, nothing is half-written. */
export class SessionWriteConflictError extends Error {
  override readonly name = 'SessionWriteConflictError';
}

export interface LoadedSession {
  id: string;
  session: ProviderSession;
}

/** Provider sessions in the store behind a signed, opaque `__Host-` cookie (SameSite=Lax, for `prompt=none`). */
export class ProviderSessions {
  readonly #store: Store;
  readonly #signer: CookieSigner;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(store: Store, signer: CookieSigner, ttlSeconds: number, now: () => number) {
    this.#store = store;
    this.#signer = signer;
    this.#ttlSeconds = ttlSeconds;
    this.#now = now;
  }

  /** The session named by the request's cookie, or undefined. */
  async load(cookieHeader: string | undefined): Promise<LoadedSession | undefined> {
    const id = this.#signer.unsign(readCookie(cookieHeader, sessionCookieName), purpose);
    if (!id) return undefined;
    const session = await this.#store.get<ProviderSession>(namespace, id);
    return session ? { id, session } : undefined;
  }

  /** Starts a new session (a new id at every login, never a pre-login one); returns its `Set-Cookie`. */
  async start(sub: string, amr: string[], nowMs: number): Promise<{ loaded: LoadedSession; cookie: string }> {
    const id = randomToken(32);
    const session: ProviderSession = {
      sub,
      sid: randomToken(16),
      authTime: Math.floor(nowMs / 1000),
      amr,
      clients: [],
    };
    await this.#store.put(namespace, id, session, { ttlSeconds: this.#ttlSeconds, indexes: [`user-sessions:${sub}`] });
    const cookie = serializeCookie(sessionCookieName, this.#signer.sign(id, purpose), {
      sameSite: 'Lax',
      maxAgeSeconds: this.#ttlSeconds,
    });
    return { loaded: { id, session }, cookie };
  }

  /**
   * Records that a client received tokens in this session (a back-channel logout target). Written by
   * compare-and-set: two clients added at once must both stay, or sign-out would miss one.
   */
  async addClient(loaded: LoadedSession, clientId: string): Promise<void> {
    if (loaded.session.clients.includes(clientId)) return;
    for (let attempt = 0; attempt < maxWriteAttempts; attempt += 1) {
      const entry = await this.#store.getEntry<ProviderSession>(namespace, loaded.id);
      if (!entry) return;
      const updated = { ...entry.value, clients: [...new Set([...entry.value.clients, clientId])] };
      const ttlSeconds =
        entry.expiresAt === null ? this.#ttlSeconds : Math.max(1, (entry.expiresAt - this.#now()) / 1000);
      const written = await this.#store.compareAndSet(namespace, loaded.id, entry.version, updated, {
        ttlSeconds,
        indexes: [`user-sessions:${updated.sub}`],
      });
      if (written !== undefined) {
        loaded.session = updated;
        return;
      }
    }
    throw new SessionWriteConflictError(`the provider session kept changing while ${clientId} was added`);
  }

  async end(id: string): Promise<void> {
    await this.#store.delete(namespace, id);
  }

  /** Every session of a user (password change ends them). */
  async ofUser(sub: string): Promise<LoadedSession[]> {
    const found = await this.#store.findByIndex<ProviderSession>(`user-sessions:${sub}`);
    return found.map((entry) => ({ id: entry.id, session: entry.value }));
  }

  clearCookie(): string {
    return clearCookie(sessionCookieName, 'Lax');
  }
}
