import { type Static, Type } from '@sinclair/typebox';

/**
 * How a server stops on SIGTERM (see `closeGracefully`): `/readyz` turns 503 at once, requests are
 * still served for `drainDelayMs` (a load balancer polling readiness stops sending meanwhile), then
 * the listener closes and requests in flight get up to `drainTimeoutMs` before their connections are
 * cut. The defaults fit a 30 s termination grace period (Kubernetes' default) with room to spare:
 * 0 + 10 s of draining, then the store closes. Set `drainDelayMs` to a few readiness-probe periods
 * (5 000 with a 2 s probe) behind a load balancer, and keep `drainDelayMs + drainTimeoutMs` a few
 * seconds below the grace period.
 */
export const shutdownConfigSchema = Type.Object(
  {
    drainDelayMs: Type.Integer({
      minimum: 0,
      maximum: 120_000,
      default: 0,
      description: 'after SIGTERM, how long requests are still served while /readyz answers 503',
    }),
    drainTimeoutMs: Type.Integer({
      minimum: 0,
      maximum: 600_000,
      default: 10_000,
      description: 'then how long requests in flight may take before their connections are cut',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'the graceful stop on SIGTERM: not ready, drain, close',
  },
);
export type ShutdownConfig = Static<typeof shutdownConfigSchema>;

/** The listener of `/metrics` (and, by choice, `/healthz` + `/readyz`), away from the public origin. */
export const metricsListenerConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'serve Prometheus metrics on their own listener' }),
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'address of the metrics listener' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 9464, description: 'port of the metrics listener' }),
  },
  { additionalProperties: false, default: {}, description: 'Prometheus metrics, away from the browsers’ origin' },
);
export type MetricsListenerConfig = Static<typeof metricsListenerConfigSchema>;

/** Where `/healthz` and `/readyz` are answered. */
export const healthConfigSchema = Type.Object(
  {
    listener: Type.Union([Type.Literal('public'), Type.Literal('metrics')], {
      default: 'public',
      description: 'where /healthz and /readyz are served: public, or metrics (then 404 on the public port)',
    }),
  },
  { additionalProperties: false, default: {}, description: 'the liveness and readiness endpoints' },
);
export type HealthConfig = Static<typeof healthConfigSchema>;

/**
 * The one cross-field rule of these blocks, for a server's config loader: health on the metrics
 * listener needs that listener. Returns the problem (field and message) or `undefined`.
 */
export function checkOpsConfig(config: {
  metrics: MetricsListenerConfig;
  health: HealthConfig;
}): { field: string; message: string } | undefined {
  if (config.health.listener === 'metrics' && !config.metrics.enabled) {
    return { field: 'health.listener', message: '"metrics" needs metrics.enabled: true' };
  }
  return undefined;
}
