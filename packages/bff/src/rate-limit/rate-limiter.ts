import { type Store, RateLimiter as StoreRateLimiter } from '@gatehouse/store';

/**
 * The kinds of request the BFF limits per source address, each counted on its own: `login` (starting a
 * sign-in writes a login transaction to the store) and `clientRoutes` (calls on `token: "client"`
 * routes, which anyone may make with the BFF's own identity).
 */
export type RateLimitClass = 'login' | 'clientRoutes';

export interface RateLimit {
  /** Requests allowed per source address in one window. */
  limit: number;
  windowSeconds: number;
}

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * The BFF's limits per route class and source address, counted by the store's rate limiter (the one
 * mechanism every Gatehouse server uses), so every BFF instance counts against the same limit. A
 * request is counted before it is served, atomically by the store, so parallel requests cannot slip
 * past the limit together.
 */
export class RateLimiter {
  readonly #counter: StoreRateLimiter;
  readonly #limits: Readonly<Record<RateLimitClass, Readonly<RateLimit>>>;
  readonly #onRefused: ((routeClass: RateLimitClass, sourceAddress: string) => void) | undefined;

  /** `onRefused` is told of each refusal (the rate-limit counter, the security event); default: nobody. */
  constructor(
    store: Store,
    limits: Readonly<Record<RateLimitClass, Readonly<RateLimit>>>,
    now: () => number,
    onRefused?: (routeClass: RateLimitClass, sourceAddress: string) => void,
  ) {
    this.#counter = new StoreRateLimiter(store, now);
    this.#limits = limits;
    this.#onRefused = onRefused;
  }

  /** Counts one request of `routeClass` from `sourceAddress`; refused once the window's limit is spent. */
  async take(routeClass: RateLimitClass, sourceAddress: string): Promise<RateLimitVerdict> {
    const { limit, windowSeconds } = this.#limits[routeClass];
    const use = await this.#counter.take({ name: `bff-${routeClass}`, limit, windowSeconds }, sourceAddress);
    if (!use.isOver) return { allowed: true };
    this.#onRefused?.(routeClass, sourceAddress);
    return { allowed: false, retryAfterSeconds: use.resetsInSeconds };
  }
}
