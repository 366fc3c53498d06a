import type { Store } from '@gatehouse/store';
import { sha256 } from '../tokens/random.js';

export interface ThrottleLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

/**
 * Failed-login limits shared by every instance through the store: per account and per IP address, in
 * a fixed window. Past a limit, attempts are refused (429) until the window ends — temporary, so an
 * attacker cannot lock an account for good.
 */
export class LoginThrottle {
  readonly #store: Store;
  readonly #limits: ThrottleLimits;
  readonly #now: () => number;

  constructor(store: Store, limits: ThrottleLimits, now: () => number) {
    this.#store = store;
    this.#limits = limits;
    this.#now = now;
  }

  /** Seconds until attempts for this email or IP are allowed again, or 0 when they are now. */
  async blockedFor(email: string, ip: string): Promise<number> {
    const blocks = await Promise.all([
      this.#store.get<number>('login-blocks', this.#accountKey(email)),
      this.#store.get<number>('login-blocks', this.#ipKey(ip)),
    ]);
    const until = Math.max(0, ...blocks.map((value) => value ?? 0));
    return Math.max(0, Math.ceil((until - this.#now()) / 1000));
  }

  /** Counts a failure; returns the seconds of block it started, or 0. */
  async recordFailure(email: string, ip: string): Promise<number> {
    let blocked = 0;
    for (const [key, limit] of [
      [this.#accountKey(email), this.#limits.perAccount],
      [this.#ipKey(ip), this.#limits.perIp],
    ] as const) {
      const window = await this.#store.increment(`login-failures:${key}`, this.#limits.windowSeconds);
      if (window.count >= limit) {
        const ttlSeconds = Math.max(1, (window.resetAt - this.#now()) / 1000);
        await this.#store.put('login-blocks', key, window.resetAt, { ttlSeconds });
        blocked = Math.max(blocked, Math.ceil(ttlSeconds));
      }
    }
    return blocked;
  }

  // Hashed, so the store holds no email addresses or IPs in counter names.
  #accountKey(email: string): string {
    return `account:${sha256(email.trim().toLowerCase())}`;
  }

  #ipKey(ip: string): string {
    return `ip:${sha256(ip)}`;
  }
}
