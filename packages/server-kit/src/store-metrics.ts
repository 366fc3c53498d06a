import { StoreInputError, type StoreObserver } from '@gatehouse/store';
import { counterOf, histogramOf, type Registry } from './metrics-registry.js';

/** Seconds; a memory read takes microseconds, a store near its command timeout seconds. */
export const storeDurationBuckets = Object.freeze([
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
]);

/**
 * A store observer (see `observeStore` in `@gatehouse/store`) that times each operation in
 * `gatehouse_store_operation_duration_seconds{backend,operation}` and counts the failed ones in
 * `gatehouse_store_errors_total{backend,operation}`. A refused input (`StoreInputError`: a name or
 * value the store does not take) is the caller's failure, not the store's, and is not counted, so
 * an alert on the counter means the backend is in trouble whatever strangers send. Labels are the backend and the method name
 * only: the store never tells an observer a key, so no session or user id can reach a label.
 *
 * @example
 * const store = await openStore(config.store, { observer: storeMetricsObserver(registry) });
 */
export function storeMetricsObserver(registry: Registry): StoreObserver {
  const durations = histogramOf(registry, {
    name: 'gatehouse_store_operation_duration_seconds',
    help: 'Time of each store operation, failed ones included, by backend and operation.',
    labelNames: ['backend', 'operation'],
    buckets: [...storeDurationBuckets],
  });
  const errors = counterOf(registry, {
    name: 'gatehouse_store_errors_total',
    help: 'Store operations that failed (server unreachable, timed out, closed), by backend and operation.',
    labelNames: ['backend', 'operation'],
  });
  return ({ operation, backend }) => {
    const stopTimer = durations.startTimer({ backend, operation });
    return (error) => {
      stopTimer();
      if (error !== undefined && !(error instanceof StoreInputError)) errors.inc({ backend, operation });
    };
  };
}
