import { randomBytes } from 'node:crypto';
import { type BffDeps, createBff, loadBffConfig } from '@gatehouse/bff';
import { openMemoryStore } from '@gatehouse/store';
import type { FastifyInstance } from 'fastify';
import type { RunningAuthorizationServer } from './authorization-server.js';
import { TestBrowser } from './test-browser.js';
import { fetchOver, injectTransport, type Transport, transportByOrigin } from './transport.js';

/** The public origin of a BFF that answers through `inject()`; like the provider's, it resolves nowhere. */
export const injectedBffOrigin = 'https://app.test';

/** The BFF's registration at a test provider, for `clients` of {@link buildAuthorizationServer}. */
export function bffClientAt(origin: string = injectedBffOrigin) {
  return {
    client_id: 'test-bff',
    client_secret: 'test-bff-secret-0123456789abcdefghijk',
    client_name: 'Test BFF',
    redirect_uris: [`${origin}/bff/callback`],
    post_logout_redirect_uris: [`${origin}/`],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile email offline_access api',
  };
}

export interface BffUnderTest {
  /** The BFF's public origin. */
  origin: string;
  app: FastifyInstance;
  /** A program's request to the BFF (or, through it, the provider), answered as Node's `fetch` answers. */
  fetch: typeof fetch;
  /** A new browser on the BFF's page (no cookies yet) that reaches the BFF and the provider. */
  browser(): TestBrowser;
  transport: Transport;
  close(): Promise<void>;
}

/**
 * A BFF answering through Fastify's `inject()`, signing in at `provider` (which must register
 * {@link bffClientAt}): the BFF reaches the provider through the provider's own `fetch`, so with a
 * provider of {@link buildAuthorizationServer} the whole sign-in runs in one process with no socket.
 * A memory store (closed with the BFF) unless `deps.store` is given; `overrides` change the config.
 */
export async function buildBff(
  provider: RunningAuthorizationServer,
  overrides: Record<string, unknown> = {},
  deps: Partial<BffDeps> = {},
): Promise<BffUnderTest> {
  const client = bffClientAt(injectedBffOrigin);
  const config = loadBffConfig({
    publicUrl: injectedBffOrigin,
    issuer: provider.issuer,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    scopes: ['openid', 'profile', 'email'],
    tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
    store: 'memory',
    ...overrides,
  });
  const store = deps.store ?? openMemoryStore();
  const app = await createBff(config, { fetch: provider.fetch, ...deps, store });
  await app.ready();
  const transport = transportByOrigin({ [injectedBffOrigin]: injectTransport(app) }, provider.transport);
  return {
    origin: injectedBffOrigin,
    app,
    fetch: fetchOver(transport),
    browser: () => new TestBrowser({ origin: injectedBffOrigin, transport }),
    transport,
    close: async () => {
      await app.close();
      if (!deps.store) await store.close();
    },
  };
}
