import {
  closeGracefully,
  type HealthConfig,
  type MetricsListenerConfig,
  type MetricsSource,
  type OpsListener,
  type ShutdownConfig,
  startOpsListener,
} from '@gatehouse/server-kit';
import type { FastifyInstance } from 'fastify';
import type { Io } from './command.js';

/** The config blocks of a server that decide its ops listener and its stop. */
export interface OpsConfig {
  metrics: MetricsListenerConfig;
  health: HealthConfig;
  shutdown: ShutdownConfig;
}

/**
 * Starts the server's ops listener when `metrics.enabled`: `/metrics` from `metrics`, and `/healthz`
 * + `/readyz` too when `health.listener` is `metrics`. Throws as `listen` does (`EADDRINUSE`).
 */
export async function startOps(
  app: FastifyInstance,
  config: OpsConfig,
  metrics: MetricsSource | undefined,
): Promise<OpsListener | undefined> {
  if (!config.metrics.enabled) return undefined;
  return startOpsListener({
    host: config.metrics.host,
    port: config.metrics.port,
    metrics,
    health: config.health.listener === 'metrics' ? app.lifecycle : undefined,
  });
}

/**
 * Waits for the stop signal, then stops `app` gracefully (`closeGracefully`: not ready, drain delay,
 * close, in-flight requests get `drainTimeoutMs`) and the ops listener last, so `/readyz` there says
 * `shutting_down` throughout. One line when draining starts, one when it is done.
 */
export async function stopOnSignal(
  name: string,
  io: Io,
  app: FastifyInstance,
  config: OpsConfig,
  ops: OpsListener | undefined,
): Promise<void> {
  const signal = await io.stopSignal;
  const { drainDelayMs, drainTimeoutMs } = config.shutdown;
  io.stdout(
    `gatehouse ${name}: ${signal}, draining: not ready; closing in ${seconds(drainDelayMs)}, requests in flight get up to ${seconds(drainTimeoutMs)}`,
  );
  try {
    const outcome = await closeGracefully(app, config.shutdown);
    const cut = outcome.cutConnections > 0 ? ` (${outcome.cutConnections} connections cut at the drain timeout)` : '';
    io.stdout(`gatehouse ${name}: stopped in ${seconds(outcome.elapsedMs)}${cut}`);
  } finally {
    await ops?.close();
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
