import {
  Counter,
  type CounterConfiguration,
  collectDefaultMetrics,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';

// The one prom-client every package uses (metrics must be registered in the registry class they
// are rendered by): packages take these from here rather than depending on prom-client themselves.
export { Counter, Gauge, Histogram, Registry };

/** A scrape's answer: the Prometheus text exposition and its content type. */
export interface MetricsExposition {
  contentType: string;
  body: string;
}

/** What a metrics listener calls on each scrape (see {@link metricsRenderer}). */
export type RenderMetrics = () => Promise<MetricsExposition>;

/**
 * A registry for one app's metrics. Never prom-client's global one: a process may run several apps
 * (`gatehouse dev`, and tests that start many), and each keeps its own counts.
 */
export function createMetricsRegistry(): Registry {
  return new Registry();
}

// The process's own metrics (CPU, memory, event-loop lag, GC) describe the process, not an app, and
// prom-client's collectors cannot be stopped once started: made once per process, on first use,
// and rendered with every app's metrics.
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * Renders `registry` for a scrape, after the process's default metrics (`process_*`, `nodejs_*`)
 * unless `processMetrics` is `false`.
 *
 * @example
 * const render = metricsRenderer(registry);
 * const { contentType, body } = await render(); // text/plain; version=0.0.4
 */
export function metricsRenderer(registry: Registry, options: { processMetrics?: boolean } = {}): RenderMetrics {
  const registries = options.processMetrics === false ? [registry] : [processMetrics(), registry];
  return async () => {
    const parts = await Promise.all(registries.map((each) => each.metrics()));
    return { contentType: registry.contentType, body: parts.filter((part) => part.trim() !== '').join('\n') };
  };
}

/**
 * The counter of that name in `registry`, created on first use: two parts that record the same
 * metric (two apps sharing one registry, say) share one series set instead of failing to register.
 */
export function counterOf<Label extends string>(
  registry: Registry,
  configuration: Omit<CounterConfiguration<Label>, 'registers'>,
): Counter<Label> {
  const found = registry.getSingleMetric(configuration.name);
  if (found) return checkedKind(found, Counter, configuration.name) as Counter<Label>;
  return new Counter({ ...configuration, registers: [registry] });
}

/** The histogram of that name in `registry`, created on first use (see {@link counterOf}). */
export function histogramOf<Label extends string>(
  registry: Registry,
  configuration: Omit<HistogramConfiguration<Label>, 'registers'>,
): Histogram<Label> {
  const found = registry.getSingleMetric(configuration.name);
  if (found) return checkedKind(found, Histogram, configuration.name) as Histogram<Label>;
  return new Histogram({ ...configuration, registers: [registry] });
}

/** The gauge of that name in `registry`, created on first use (see {@link counterOf}). */
export function gaugeOf<Label extends string>(
  registry: Registry,
  configuration: Omit<GaugeConfiguration<Label>, 'registers'>,
): Gauge<Label> {
  const found = registry.getSingleMetric(configuration.name);
  if (found) return checkedKind(found, Gauge, configuration.name) as Gauge<Label>;
  return new Gauge({ ...configuration, registers: [registry] });
}

function checkedKind<T>(found: unknown, kind: abstract new (...args: never[]) => T, name: string): T {
  if (!(found instanceof kind)) throw new TypeError(`metric ${name} is registered as another type`);
  return found;
}
