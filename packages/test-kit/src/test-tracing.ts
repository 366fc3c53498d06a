import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A tracer provider keeping every ended span in memory, for tests of what the servers trace. */
export interface TestTracing {
  /** Pass as a server's `tracerProvider` dependency; never registered globally. */
  readonly provider: BasicTracerProvider;
  /** Every span ended so far, oldest first. */
  spans(): ReadableSpan[];
  /** Forgets the spans ended so far. */
  reset(): void;
  /** Shuts the provider down and the context manager off. */
  close(): Promise<void>;
}

/**
 * An in-memory span exporter behind a `BasicTracerProvider` (always sampled), with the
 * AsyncLocalStorage context manager enabled so a span stays current across awaits — what a user's
 * `NodeSDK` would set up, minus the export.
 */
export function startTestTracing(): TestTracing {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    provider,
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    async close() {
      await provider.shutdown();
      context.disable();
    },
  };
}
