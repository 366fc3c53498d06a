import { createHash } from 'node:crypto';
import type { Store } from './store.js';

/** One limit: at most `limit` counted uses per key in each window of `windowSeconds`. */
export interface RateLimitRule {
  /** Separates this limit's counters from the others' (`login-source`, `client-auth`, …). */
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

/** A use, counted before the work it pays for. */
export interface CountedUse {
  /** Uses counted in this window, this one included, less the forgiven ones. */
  readonly used: number;
  /** Whether this use is beyond the limit: the caller refuses it, doing none of the work. */
  readonly isOver: boolean;
  /** Uses left in this window after this one (0 when this was the last, or beyond it). */
  readonly remaining: number;
  /** Seconds until the window ends and the count starts again (at least 1): the `Retry-After`. */
  readonly resetsInSeconds: number;
  /** This use turns out not to count (valid credentials, or refused before any work): give it back. */
  forgive(): Promise<void>;
}

const forgivenNamespace = 'rate-limit-forgiven';

/**
 * The one rate-limit mechanism of every Gatehouse server: fixed windows counted through the store, so
 * every instance counts against the same limit. A use is counted **before** the expensive or
 * guessable check it allows (SECURITY.md §4), atomically by the store's counter, so parallel requests
 * cannot slip past the limit together; a use that turns out not to count — a sign-in or client
 * authentication that succeeded — is forgiven afterwards. Keys are hashed: the store holds no
 * addresses, emails or client ids in counter names.
 *
 * Windows are aligned to the clock (`windowSeconds` apart from the epoch), so a use and its
 * forgiveness always meet in the same window. As with any fixed window, up to twice the limit can
 * pass around a window's end.
 */
export class RateLimiter {
  readonly #store: Store;
  readonly #now: () => number;

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** Counts one use of `rule` for `key`; see {@link CountedUse.isOver}. */
  async take(rule: RateLimitRule, key: string): Promise<CountedUse> {
    const now = this.#now();
    const windowMs = rule.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const counter = `${rule.name}:${sha256(key)}:${window}`;
    const resetsInSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
    const { count } = await this.#store.increment(counter, rule.windowSeconds);
    // Forgiven uses matter only once the raw count passes the limit: a quiet window costs one call.
    const forgiven = count > rule.limit ? ((await this.#store.get<number>(forgivenNamespace, counter)) ?? 0) : 0;
    const used = Math.max(1, count - forgiven);
    return {
      used,
      isOver: used > rule.limit,
      remaining: Math.max(0, rule.limit - used),
      resetsInSeconds,
      forgive: () => this.#forgive(counter, rule.windowSeconds),
    };
  }

  async #forgive(counter: string, windowSeconds: number): Promise<void> {
    const { count } = await this.#store.increment(`${counter}:forgiven`, windowSeconds);
    // Published as an entry because `take` cannot read a counter without adding to it. Concurrent
    // forgivers may publish out of order; a lower value only makes the limit stricter, briefly.
    await this.#store.put(forgivenNamespace, counter, count, { ttlSeconds: windowSeconds * 2 });
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Namespaces the rate limits write (short-lived: they go to the ephemeral store). */
export const rateLimitNamespaces = [forgivenNamespace] as const;
