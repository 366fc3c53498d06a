import { createAuthorizationServer, loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import { openMemoryStore, type Store } from '@gatehouse/store';
import type { FastifyInstance } from 'fastify';
import { apiResource, confidentialClient, demoUser, publicClient } from './fixtures.js';
import { freePort } from './free-port.js';
import { TestBrowser } from './test-browser.js';
import { fetchOver, httpTransport, injectTransport, type Transport, transportByOrigin } from './transport.js';

/** A clock moved by hand. The server and its store read the same one, so codes and windows expire on it. */
export class ManualClock {
  #ms = Date.now();
  readonly now = (): number => this.#ms;
  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }
}

/** What a test holds of a running authorization server, however requests reach it. */
export interface RunningAuthorizationServer {
  issuer: string;
  app: FastifyInstance;
  /** A program's request to the server (no cookies), answered as Node's `fetch` answers. */
  fetch: typeof fetch;
  /** A new browser, no cookies yet, whose requests reach this server (and real HTTP elsewhere). */
  browser(options?: { origin?: string }): TestBrowser;
  /** How requests reach this server (and any other origin, over real HTTP): for a browser of one's own. */
  transport: Transport;
  close(): Promise<void>;
}

/** A server of {@link buildAuthorizationServer} or {@link listenAuthorizationServer}: its clock and store in hand. */
export interface AuthorizationServerUnderTest extends RunningAuthorizationServer {
  /** The clock the server and its store read; nothing moves it but the test. */
  clock: ManualClock;
  store: Store;
}

export interface AuthorizationServerDeps {
  store?: Store;
  now?: () => number;
  logger?: unknown;
  /** The server's own outgoing requests (upstreams, back-channel logout). */
  fetch?: typeof fetch;
  /** Where the server's metrics go (a prom-client `Registry` from `@gatehouse/server-kit`). */
  metricsRegistry?: unknown;
}

export interface HarnessOptions {
  /** The store, given the clock (default: a memory store on it). */
  store?: (clock: ManualClock) => Store;
  logger?: unknown;
  fetch?: typeof fetch;
  /** Where the server's metrics go (a prom-client `Registry` from `@gatehouse/server-kit`). */
  metricsRegistry?: unknown;
}

/**
 * The issuer of a server that answers through `inject()`: a name that resolves nowhere (RFC 2606), so
 * a request that should have gone through the harness and went to the network fails at once.
 */
export const injectedIssuer = 'https://as.test';

function configOf(issuer: string, port: number | undefined, overrides: Record<string, unknown>) {
  return loadAuthorizationServerConfig({
    issuer,
    ...(port === undefined ? {} : { port }),
    store: 'memory',
    cookieSecrets: ['test-cookie-secret-0123456789abcdefghij'],
    resources: [apiResource],
    clients: [confidentialClient, publicClient],
    users: [demoUser],
    ...overrides,
  });
}

/** Our authorization server on a free loopback port, with the clients and user of the fixtures unless overridden. */
export async function startAuthorizationServer(
  overrides: Record<string, unknown> = {},
  deps: AuthorizationServerDeps = {},
): Promise<RunningAuthorizationServer> {
  const port = await freePort();
  const config = configOf(`http://127.0.0.1:${port}`, port, overrides);
  const app = await createAuthorizationServer(config, deps as never);
  // `issuer` and `port` may be overridden together (a test that must know the URL before starting).
  await app.listen({ port: config.port, host: '127.0.0.1' });
  return {
    issuer: config.issuer,
    app,
    fetch: (input, init) => fetch(input, init),
    browser: (options = {}) => new TestBrowser({ ...options, transport: httpTransport }),
    transport: httpTransport,
    close: () => app.close(),
  };
}

/**
 * The harness's server, answering through Fastify's `inject()`: no socket, no port. A memory store
 * and the server both read a {@link ManualClock}; `fetch` and `browser()` reach it in-process (and
 * any other origin over real HTTP). For tests of what the server answers, not of HTTP itself.
 */
export async function buildAuthorizationServer(
  overrides: Record<string, unknown> = {},
  options: HarnessOptions = {},
): Promise<AuthorizationServerUnderTest> {
  const clock = new ManualClock();
  const store = options.store ? options.store(clock) : openMemoryStore({ now: clock.now, sweepIntervalMs: 0 });
  const config = configOf(injectedIssuer, undefined, overrides);
  const app = await createAuthorizationServer(config, {
    store,
    now: clock.now,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.metricsRegistry === undefined ? {} : { metricsRegistry: options.metricsRegistry }),
  } as never);
  await app.ready();
  const transport: Transport = transportByOrigin({ [config.issuer]: injectTransport(app) });
  return {
    issuer: config.issuer,
    app,
    clock,
    store,
    fetch: fetchOver(transport),
    browser: (browserOptions = {}) => new TestBrowser({ ...browserOptions, transport }),
    transport,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** {@link buildAuthorizationServer}'s server listening on loopback, for tests about HTTP itself. */
export async function listenAuthorizationServer(
  overrides: Record<string, unknown> = {},
  options: HarnessOptions = {},
): Promise<AuthorizationServerUnderTest> {
  const clock = new ManualClock();
  const store = options.store ? options.store(clock) : openMemoryStore({ now: clock.now, sweepIntervalMs: 0 });
  const server = await startAuthorizationServer(overrides, {
    now: clock.now,
    store,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.metricsRegistry === undefined ? {} : { metricsRegistry: options.metricsRegistry }),
  });
  return {
    ...server,
    clock,
    store,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}
