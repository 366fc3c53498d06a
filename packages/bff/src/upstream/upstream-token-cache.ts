import type { UpstreamToken } from './upstream-token-exchange.js';

export interface UpstreamTokenCacheOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Most tokens kept; the least recently used goes first. Default 10 000. */
  maxEntries?: number;
  /** Stop using a token this many seconds before it expires. Default 30. */
  marginSeconds?: number;
  /** How long a token of unknown lifetime is reused, in seconds. Default 30. */
  unknownLifetimeSeconds?: number;
  /**
   * The longest any token is reused, in seconds, however long it lives: an unlinked account or a
   * revoked grant at the authorization server takes effect within this time. Default 300.
   */
  maxReuseSeconds?: number;
}

/**
 * Users' upstream tokens obtained for browser sessions, in this process's memory, per session and
 * upstream: reused until `marginSeconds` before they expire (at most `maxReuseSeconds`, since
 * upstream tokens can live for weeks), one exchange in flight per key however
 * many requests wait for it. Keys are a hash of the session id (the session store's key), never the
 * id itself. A cache any instance may lose: the authorization server remains the source.
 */
export class UpstreamTokenCache {
  /** Per session, its tokens by upstream; insertion order is recency (a hit moves the session to the end). */
  readonly #sessions = new Map<string, Map<string, { token: UpstreamToken; reuseUntil: number }>>();
  readonly #pending = new Map<string, Promise<UpstreamToken>>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #marginMs: number;
  readonly #unknownLifetimeMs: number;
  readonly #maxReuseMs: number;
  #size = 0;
  /** Counts removals, so an exchange that raced with one does not store its result. */
  #epoch = 0;

  constructor(options: UpstreamTokenCacheOptions) {
    this.#now = options.now;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#marginMs = (options.marginSeconds ?? 30) * 1000;
    this.#unknownLifetimeMs = (options.unknownLifetimeSeconds ?? 30) * 1000;
    this.#maxReuseMs = (options.maxReuseSeconds ?? 300) * 1000;
  }

  /**
   * The cached token of the session (by its `sessionStoreKey`) at `upstream`, or the result of `obtain` (shared with every
   * concurrent caller for the same key, and kept when it lives long enough). A failure is not kept.
   */
  async get(sessionKey: string, upstream: string, obtain: () => Promise<UpstreamToken>): Promise<UpstreamToken> {
    const tokens = this.#sessions.get(sessionKey);
    const hit = tokens?.get(upstream);
    if (tokens && hit) {
      if (hit.reuseUntil > this.#now()) {
        this.#sessions.delete(sessionKey);
        this.#sessions.set(sessionKey, tokens);
        return hit.token;
      }
      this.#remove(sessionKey, upstream);
    }
    const key = `${sessionKey} ${upstream}`;
    const waiting = this.#pending.get(key);
    if (waiting) return waiting;
    const epoch = this.#epoch;
    const pending = obtain()
      .then((token) => {
        if (epoch === this.#epoch) this.#keep(sessionKey, upstream, token);
        return token;
      })
      .finally(() => this.#pending.delete(key));
    this.#pending.set(key, pending);
    return pending;
  }

  /** Drops the session's tokens: every upstream's (its end), or one upstream's. */
  forget(sessionKey: string, upstream?: string): void {
    this.#epoch += 1;
    const tokens = this.#sessions.get(sessionKey);
    if (!tokens) return;
    for (const name of upstream === undefined ? [...tokens.keys()] : [upstream]) this.#remove(sessionKey, name);
  }

  /** Drops the session's token at `upstream` if it is still `accessToken` (the upstream refused that one). */
  forgetToken(sessionKey: string, upstream: string, accessToken: string): void {
    if (this.#sessions.get(sessionKey)?.get(upstream)?.token.accessToken !== accessToken) return;
    this.forget(sessionKey, upstream);
  }

  /** How many tokens are kept. */
  get size(): number {
    return this.#size;
  }

  #keep(sessionKey: string, upstream: string, token: UpstreamToken): void {
    const now = this.#now();
    const lifetimeMs = token.expiresAt === undefined ? this.#unknownLifetimeMs : token.expiresAt - this.#marginMs - now;
    const reuseUntil = now + Math.min(lifetimeMs, this.#maxReuseMs);
    if (reuseUntil <= now) return;
    this.#remove(sessionKey, upstream);
    // The least recently used sessions go first, all their tokens at once.
    for (const [oldest, its] of this.#sessions) {
      if (this.#size < this.#maxEntries) break;
      this.#sessions.delete(oldest);
      this.#size -= its.size;
    }
    const tokens = this.#sessions.get(sessionKey) ?? new Map();
    this.#sessions.delete(sessionKey);
    this.#sessions.set(sessionKey, tokens.set(upstream, { token, reuseUntil }));
    this.#size += 1;
  }

  #remove(sessionKey: string, upstream: string): void {
    const tokens = this.#sessions.get(sessionKey);
    if (!tokens?.delete(upstream)) return;
    this.#size -= 1;
    if (tokens.size === 0) this.#sessions.delete(sessionKey);
  }
}
