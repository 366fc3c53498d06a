import type { RateLimiter, RateLimitRule, Store } from '@gatehouse/store';
import type { RateLimitsConfig } from '../config/rate-limits-config.js';
import { sha256 } from '../primitives/random.js';
import { normalizeEmail } from './account-store.js';

/** A sign-in attempt that may go ahead: verify the password, then say how it went. */
export interface LoginAttempt {
  readonly allowed: true;
  /** The password was right: nothing of this attempt counts, and this source's delay is lifted. */
  succeeded(): Promise<void>;
  /** The password was wrong: the seconds the next attempt must wait (`Retry-After`), or 0. */
  failed(): Promise<number>;
}

export interface LoginRefusal {
  readonly allowed: false;
  readonly retryAfterSeconds: number;
}

const gateNamespace = 'login-gates';

/**
 * Sign-in limits shared by every instance through the store (SECURITY.md §4, NIST SP 800-63B
 * §5.2.2). Each attempt takes its slots **before** the password is verified, so concurrent guesses
 * cannot exceed a limit:
 *
 * 1. per source address (checked first, so an address over its limit adds nothing to any account):
 *    `loginFailuresPerIp` attempts that did not succeed per window, then 429 until the window ends;
 * 2. per account: its first `loginFailuresPerAccount - 1` failures are free; from then on each source
 *    may try the account once per delay — `loginDelaySeconds`, doubled with every further failure of
 *    the account, at most `loginMaxDelaySeconds`. The delay is kept per account **and** source: a
 *    stranger's failures slow the stranger down, but the account never locks, and the owner's right
 *    password from an address that is not over its own limit gets in as soon as that address's
 *    delay (if it has one) has passed.
 *
 * A successful sign-in is forgiven: it counts towards neither limit.
 */
export class LoginThrottle {
  readonly #store: Store;
  readonly #limiter: RateLimiter;
  readonly #now: () => number;
  readonly #perSource: RateLimitRule;
  /** Free failures; beyond them, an attempt needs its source's gate. */
  readonly #perAccount: RateLimitRule;
  readonly #delaySeconds: number;
  readonly #maxDelaySeconds: number;

  constructor(store: Store, limiter: RateLimiter, limits: RateLimitsConfig, now: () => number) {
    this.#store = store;
    this.#limiter = limiter;
    this.#now = now;
    this.#perSource = { name: 'login-source', limit: limits.loginFailuresPerIp, windowSeconds: limits.windowSeconds };
    this.#perAccount = {
      name: 'login-account',
      limit: limits.loginFailuresPerAccount - 1,
      windowSeconds: limits.loginAccountWindowSeconds,
    };
    this.#delaySeconds = limits.loginDelaySeconds;
    this.#maxDelaySeconds = limits.loginMaxDelaySeconds;
  }

  /** Takes the attempt's slots for signing in as `email` from `source`, or refuses it. */
  async begin(email: string, source: string): Promise<LoginAttempt | LoginRefusal> {
    const fromSource = await this.#limiter.take(this.#perSource, source);
    if (fromSource.isOver) return { allowed: false, retryAfterSeconds: fromSource.resetsInSeconds };
    const account = accountKey(email);
    const forAccount = await this.#limiter.take(this.#perAccount, account);
    let gate: { id: string; seconds: number } | undefined;
    if (forAccount.isOver) {
      const id = sha256(`${account}\n${source}`);
      const seconds = this.#delayAfter(forAccount.used - this.#perAccount.limit - 1);
      // Taken atomically: of concurrent attempts from one source, exactly one passes the gate.
      const taken = await this.#store.putIfAbsent(gateNamespace, id, 1, { ttlSeconds: seconds });
      if (taken === undefined) {
        // Refused before the password was looked at: not a failure of the account.
        await forAccount.forgive();
        return { allowed: false, retryAfterSeconds: await this.#gateWait(id) };
      }
      gate = { id, seconds };
    }
    return {
      allowed: true,
      succeeded: async () => {
        await Promise.all([fromSource.forgive(), forAccount.forgive()]);
        if (gate) await this.#store.delete(gateNamespace, gate.id);
      },
      failed: async () => Math.max(fromSource.remaining === 0 ? fromSource.resetsInSeconds : 0, gate?.seconds ?? 0),
    };
  }

  /** The delay after `beyond` failures past the free ones: doubling, capped (never a lock). */
  #delayAfter(beyond: number): number {
    return Math.min(this.#maxDelaySeconds, this.#delaySeconds * 2 ** Math.min(Math.max(0, beyond), 30));
  }

  async #gateWait(id: string): Promise<number> {
    const entry = await this.#store.getEntry(gateNamespace, id);
    const expiresAt = entry?.expiresAt ?? this.#now();
    return Math.max(1, Math.ceil((expiresAt - this.#now()) / 1000));
  }
}

/** The account's counter key: hashed, so the store holds no email addresses in counter names. */
function accountKey(email: string): string {
  return `account:${sha256(normalizeEmail(email))}`;
}

/** Namespaces the sign-in limits write (short-lived: they go to the ephemeral store). */
export const loginThrottleNamespaces = [gateNamespace] as const;
