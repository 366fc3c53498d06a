import type { Store } from '@gatehouse/store';

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
 * Fixed-window request counters per route class and source address, kept in the store so every BFF
 * instance counts against the same limit. A request is counted before it is served, atomically by
 * the store, so parallel requests cannot slip past the limit together.
 */
export class RateLimiter {
  constructor(
    private readonly store: Store,
    private readonly limits: Readonly<Record<RateLimitClass, Readonly<RateLimit>>>,
    private readonly now: () => number,
  ) {}

  /** Counts one request of `routeClass` from `sourceAddress`; refused once the window's limit is spent. */
  async take(routeClass: RateLimitClass, sourceAddress: string): Promise<RateLimitVerdict> {
    const { limit, windowSeconds } = this.limits[routeClass];
    const window = await this.store.increment(`bff-rate:${routeClass}:${sourceAddress}`, windowSeconds);
    if (window.count <= limit) return { allowed: true };
    // The store's clock set `resetAt`; clamped so a skewed clock never asks for 0 s or more than a window.
    const untilReset = Math.ceil((window.resetAt - this.now()) / 1000);
    return { allowed: false, retryAfterSeconds: Math.min(Math.max(untilReset, 1), windowSeconds) };
  }
}
