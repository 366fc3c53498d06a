import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ShutdownConfig } from './ops-config.js';
import { ServerLifecycle, type ServerLifecycleOptions, ShuttingDownError } from './server-lifecycle.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's phase and readiness checks (see `attachLifecycle`). */
    lifecycle: ServerLifecycle;
  }
  interface FastifyContextConfig {
    /** Answered while the server closes too (`/healthz`, `/readyz`): never refused for shutting down. */
    servedWhileClosing?: boolean;
  }
}

export interface AttachLifecycleOptions extends ServerLifecycleOptions {
  /**
   * Answers a request that arrives after the listener closed. Default: raise `ShuttingDownError`
   * into the app's error handler (`createServer`'s mapping renders it in the route's style).
   */
  refuse?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

/**
 * Gives a Fastify app a {@link ServerLifecycle} (`app.lifecycle`) and the hooks a graceful stop needs:
 * from the stop signal on, every answer carries `Connection: close` — set when its headers are
 * written, so a request already in flight at the signal closes its connection too — and once the
 * listener has closed, a request that still arrives on an open connection is refused (`refuse`). Fastify
 * must be built with `return503OnClosing: false`, or it answers those with its own generic 503 first.
 * `createServer` calls this; a server built on plain Fastify (the demo API) calls it itself.
 */
export function attachLifecycle(app: FastifyInstance, options: AttachLifecycleOptions = {}): ServerLifecycle {
  const { refuse, ...lifecycleOptions } = options;
  const lifecycle = new ServerLifecycle(lifecycleOptions);
  app.decorate('lifecycle', lifecycle);
  // Callback hooks, not async ones: they run on every request, and almost always do nothing.
  app.addHook('onRequest', (request, reply, done) => {
    // Until the listener has really closed (Fastify runs its preClose hooks first), a request — on a
    // new connection too — is served as usual; its answer closes the connection.
    if (!lifecycle.isClosing || app.server.listening || request.routeOptions.config.servedWhileClosing) return done();
    reply.header('connection', 'close');
    if (!refuse) return done(new ShuttingDownError());
    refuse(request, reply);
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.isStopping) reply.header('connection', 'close');
    done(null, payload);
  });
  return lifecycle;
}

/** How a graceful stop went. */
export interface CloseOutcome {
  /** Connections still open at the drain timeout, cut then. */
  readonly cutConnections: number;
  /** From the call to the app's close, in milliseconds. */
  readonly elapsedMs: number;
}

export interface CloseGracefullyHooks {
  /** Called when the drain delay is over and the listener closes. */
  onClosing?: () => void;
}

/**
 * Stops `app` (built with {@link attachLifecycle}) without keeping a process alive for the keep-alive
 * timeout: marks it not ready (`/readyz` → 503 `shutting_down`), keeps serving for `drainDelayMs`
 * (answers close their connections), then closes the listener — idle keep-alive connections close at
 * once, each request in flight finishes and its connection closes after the answer — and after
 * `drainTimeoutMs` cuts whatever is still open — upgraded sockets registered with
 * `lifecycle.trackUpgraded` too — and aborts `lifecycle.drainSignal`, so work the app's `onClose`
 * hooks wait for (the store's close comes after) ends within the same budget.
 *
 * @example
 * process.once('SIGTERM', () => closeGracefully(app, config.shutdown));
 */
export async function closeGracefully(
  app: FastifyInstance,
  settings: ShutdownConfig,
  hooks: CloseGracefullyHooks = {},
): Promise<CloseOutcome> {
  const started = performance.now();
  const lifecycle = app.lifecycle;
  if (!(lifecycle instanceof ServerLifecycle)) throw new TypeError('closeGracefully: the app has no lifecycle');
  lifecycle.beginDrain();
  if (settings.drainDelayMs > 0) await sleep(settings.drainDelayMs);
  lifecycle.beginClose();
  hooks.onClosing?.();
  const server = app.server;
  // A connection whose answer was already being written at the signal (a stream) went idle with
  // keep-alive; Node closed only the connections idle at close(), so keep closing the new ones.
  const sweep = setInterval(() => server.closeIdleConnections(), 25);
  let cutConnections = 0;
  let serverClosed = false;
  // The drain budget bounds the whole stop, not only the listener: after it, connections still open
  // (upgraded sockets too, which the HTTP server no longer lists) are cut, and work the app's onClose
  // hooks wait for (back-channel deliveries) is aborted through `lifecycle.drainSignal`.
  const cut = setTimeout(() => {
    if (serverClosed) return lifecycle.endDrain();
    server.getConnections((_error, count) => {
      cutConnections = count;
      server.closeAllConnections();
      lifecycle.endDrain();
    });
  }, settings.drainTimeoutMs);
  server.once('close', () => {
    serverClosed = true;
    clearInterval(sweep);
  });
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
  return { cutConnections, elapsedMs: performance.now() - started };
}
