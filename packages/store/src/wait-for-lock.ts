import { setTimeout as sleep } from 'node:timers/promises';
import type { HeldLock, Store } from './store.js';

export interface WaitForLockOptions {
  /** How long the lock holds once taken, in seconds (it frees itself then if never released). */
  ttlSeconds: number;
  /** How long to keep trying, in milliseconds of real time. */
  waitMs: number;
  /** The pause between tries, in milliseconds. Default 25. */
  pollMs?: number;
}

/** How {@link waitForLock} ended when its `recheck` answered first: with that answer, and no lock. */
export interface Rechecked<T> {
  rechecked: T;
}

/**
 * Takes the named lock, waiting while someone else holds it: tries every `pollMs` (default 25) for
 * at most `waitMs` of real time, then gives up with `undefined`. For single-flight work across
 * instances (one refresh of a token, everyone else reusing its result).
 *
 * With `recheck`, it is called after each pause: while the holder works, a waiter can look for its
 * result, and an answer other than `undefined` ends the wait at once with `{ rechecked }`.
 *
 * @example
 * const outcome = await waitForLock(store, `refresh:${id}`, {
 *   ttlSeconds: 30,
 *   waitMs: 10_000,
 *   recheck: async () => freshTokenIn(await sessions.load(id)), // undefined: keep waiting
 * });
 */
export async function waitForLock(
  store: Store,
  name: string,
  options: WaitForLockOptions,
): Promise<HeldLock | undefined>;
export async function waitForLock<T>(
  store: Store,
  name: string,
  options: WaitForLockOptions & { recheck: () => Promise<T | undefined> },
): Promise<HeldLock | Rechecked<T> | undefined>;
export async function waitForLock<T>(
  store: Store,
  name: string,
  options: WaitForLockOptions & { recheck?: () => Promise<T | undefined> },
): Promise<HeldLock | Rechecked<T> | undefined> {
  // Real time, not an injected clock: this is how long to wait, not what time it is for tokens.
  const deadline = performance.now() + options.waitMs;
  for (;;) {
    const lock = await store.acquireLock(name, options.ttlSeconds);
    if (lock) return lock;
    if (performance.now() > deadline) return undefined;
    await sleep(options.pollMs ?? 25);
    const answer = await options.recheck?.();
    if (answer !== undefined) return { rechecked: answer };
  }
}
