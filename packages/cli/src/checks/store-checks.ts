import { openStore, type StoreLocation } from '@gatehouse/store';
import { type Check, withDeadline } from './check.js';

/**
 * One check per store a configuration names (`store`, or `store durable` and `store ephemeral` for a
 * split one): open it as the server would, ping it once, close it. The line names the backend,
 * never the URL, which may carry a password.
 */
export function storeChecks(location: StoreLocation, timeoutMs: number): Check[] {
  if (typeof location === 'string') return [storeCheck('store', location, timeoutMs)];
  return [
    storeCheck('store durable', location.durable, timeoutMs),
    storeCheck('store ephemeral', location.ephemeral, timeoutMs),
  ];
}

function storeCheck(name: string, url: string, timeoutMs: number): Check {
  return {
    name,
    async run() {
      const started = performance.now();
      const opening = openStore(url);
      const store = await withDeadline(opening, timeoutMs, (late) => late.close().catch(() => undefined));
      try {
        await withDeadline(store.ping(), timeoutMs);
      } finally {
        await store.close().catch(() => undefined);
      }
      return `${store.backend}, answered in ${(performance.now() - started).toFixed(1)} ms`;
    },
  };
}
