import { createMetricsRegistry } from '@gatehouse/server-kit';
import type { Store } from '@gatehouse/store';
import { listenAuthorizationServer, type ManualClock } from '@gatehouse/test-kit';

/** A log line as pino writes it. */
export interface LogLine {
  level: number;
  event?: string;
  msg: string;
  [field: string]: unknown;
}

/** A server with every log line in `lines` and its metrics in `registry`. */
export async function observedServer(overrides: Record<string, unknown> = {}, store?: (clock: ManualClock) => Store) {
  const lines: LogLine[] = [];
  const registry = createMetricsRegistry();
  const server = await listenAuthorizationServer(overrides, {
    logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) } },
    metricsRegistry: registry,
    ...(store ? { store } : {}),
  });
  const events = (name: string) => lines.filter((line) => line.event === name);
  /** A series' value (0 when it was never recorded): the labels must match exactly. */
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const found = (await registry.getMetricsAsJSON()).find((each) => each.name === name);
    const series = found?.values.find(
      (value) =>
        Object.keys(value.labels).length === Object.keys(labels).length &&
        Object.entries(labels).every(([label, expected]) => String(value.labels[label]) === expected),
    );
    return series?.value ?? 0;
  };
  return { server, lines, registry, events, metric };
}

export type ObservedServer = Awaited<ReturnType<typeof observedServer>>;
