import { setTimeout as sleep } from 'node:timers/promises';
import type { HeldLock, Store } from './store.js';

/**
 * Takes the named lock, waiting while someone else holds it: polls every `pollMs` (default 25) for
 * at most `waitMs` of real time, then gives up with `undefined`. For single-flight work across
 * instances (one refresh of a token, everyone else reusing its result).
 */
export async function waitForLock(
  store: Store,
  name: string,
  options: { ttlSeconds: number; waitMs: number; pollMs?: number },
): Promise<HeldLock | undefined> {
  // Real time, not an injected clock: this is how long to wait, not what time it is for tokens.
  const deadline = performance.now() + options.waitMs;
  for (;;) {
    const lock = await store.acquireLock(name, options.ttlSeconds);
    if (lock) return lock;
    if (performance.now() > deadline) return undefined;
    await sleep(options.pollMs ?? 25);
  }
}
