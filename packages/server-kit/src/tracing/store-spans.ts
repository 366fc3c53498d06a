import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Tracing } from './tracing.js';

/** `db.system.name` for each store backend (OpenTelemetry's names where it has one). */
const systemNames: Readonly<Record<string, string>> = {
  redis: 'redis',
  postgres: 'postgresql',
  sqlite: 'sqlite',
  memory: 'other_sql',
};

/** What the store's observer seam tells of one call: which operation, on which backend; never a key or value. */
export interface ObservedStoreOperation {
  readonly operation: string;
  readonly backend: string;
}

/**
 * A store observer (`openStore(url, { observer })`, `observeStore`) making a CLIENT span
 * `store <operation>` per call, with `db.system.name`, `db.operation.name` and
 * `gatehouse.store.backend`. Only inside a traced request or call: a background timer's reads
 * (key reloads, sweeps) would each be a trace of one span.
 */
export function storeSpanObserver(tracing: Tracing): (operation: ObservedStoreOperation) => (error?: unknown) => void {
  return ({ operation, backend }) => {
    const active = context.active();
    if (trace.getSpan(active) === undefined) return noEnd;
    const span = tracing.tracer.startSpan(
      `store ${operation}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': systemNames[backend] ?? 'other_sql',
          'db.operation.name': operation,
          'gatehouse.store.backend': backend,
        },
      },
      active,
    );
    return (error) => {
      if (error !== undefined) {
        span.setAttribute('error.type', error instanceof Error ? error.name : '_OTHER');
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
  };
}

const noEnd = (): void => undefined;
