import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerAuthorize } from './endpoints/authorize.js';
import { registerMe } from './endpoints/me.js';
import { registerToken, type TokenCounts } from './endpoints/token.js';
import { answerFailure } from './failure-reply.js';
import { GrantStore } from './grant-store.js';
import { readOptions, type SocialProviderOptions } from './options.js';

export interface SocialProvider {
  /** The provider's routes, not listening: `inject()` it or `listen()` on it. */
  app: FastifyInstance;
  /** Revokes every grant of the user, as if they removed the app at the provider. */
  revokeUser(userId: string): void;
  /** Token-endpoint successes by grant type (to prove a client refreshes once, not once per request). */
  counts: TokenCounts;
}

/**
 * Example Social: a plain OAuth 2.0 provider (code flow with PKCE S256, rotating refresh tokens) with
 * a Graph-style profile API that requires `appsecret_proof`. State is in memory; for demos and tests.
 */
export function createSocialProvider(options: SocialProviderOptions): SocialProvider {
  const config = readOptions(options);
  const store = new GrantStore(config.now, config.accessTokenTtlSeconds);
  const counts: TokenCounts = { authorizationCode: 0, refreshToken: 0 };
  // A malformed URL (`/%zz`) fails before routing: `frameworkErrors` gives it the same answer as the rest.
  const app = Fastify({ bodyLimit: 16 * 1024, frameworkErrors: answerFailure });
  // Every body arrives as a string; the endpoints check its type and parse it strictly (params.ts).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.setErrorHandler(answerFailure);
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: 'not_found', error_description: 'there is nothing at this address' }),
  );
  registerAuthorize(app, config, store);
  registerToken(app, config, store, counts);
  registerMe(app, config, store);
  return { app, revokeUser: (userId) => store.revokeUser(userId), counts };
}

/**
 * Starts a provider on `host` (default 127.0.0.1) and `port` (default 4100; 0 picks a free one).
 * @example const social = await startSocialProvider({ port: 0, clients, users }); // social.url
 */
export async function startSocialProvider(
  options: SocialProviderOptions & { port?: number; host?: string },
): Promise<{ url: string; provider: SocialProvider; close(): Promise<void> }> {
  const { port = 4100, host = '127.0.0.1', ...providerOptions } = options;
  const provider = createSocialProvider(providerOptions);
  await provider.app.listen({ port, host });
  const { port: boundPort } = provider.app.server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}`,
    provider,
    close: async () => {
      await provider.app.close();
    },
  };
}
