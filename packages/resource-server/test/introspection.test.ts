import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOidcProvider } from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BearerError, ProviderUnavailableError } from '../src/core/bearer-error.js';
import { createRequestVerifier } from '../src/core/verify-request.js';

// Opaque tokens from oidc-provider, validated through its own RFC 7662 endpoint over real HTTP.
describe('introspection (RFC 7662) against oidc-provider', () => {
  let server: Server;
  let issuer: string;
  let now = Date.now();
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = await createOidcProvider(issuer, {
      clients: [
        {
          client_id: 'worker',
          client_secret: 'worker-secret-0123456789',
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          scope: 'api',
        },
        {
          client_id: 'todo-api',
          client_secret: 'api-secret-0123456789',
          grant_types: [],
          redirect_uris: [],
          response_types: [],
        },
      ],
      scopes: ['api'],
      features: {
        clientCredentials: { enabled: true },
        // Set rather than left to the defaults, which print a notice when first called.
        introspection: { enabled: true, allowedPolicy: async () => true },
        revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      },
      ttl: { ClientCredentials: 600 },
    });
    server.on('request', provider.callback());
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function opaqueToken(): Promise<string> {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: basic('worker', 'worker-secret-0123456789'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api' }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    expect(token.split('.').length).not.toBe(3); // opaque, not a JWT
    return token;
  }

  const verifier = (cacheCeilingSeconds: number, endpoint = `${issuer}/token/introspection`) =>
    createRequestVerifier({
      issuer,
      audience: 'todo-api',
      now: () => now,
      introspection: { endpoint, clientId: 'todo-api', clientSecret: 'api-secret-0123456789', cacheCeilingSeconds },
    });

  it('accepts an active token with its scopes, and sees a revocation after the cache ceiling', async () => {
    const token = await opaqueToken();
    const v = verifier(60);
    const principal = await v.verify({ authorization: `Bearer ${token}` }, { allOf: ['api'] });
    expect(principal).toMatchObject({ kind: 'client', subject: 'worker', clientId: 'worker' });

    await fetch(`${issuer}/token/revocation`, {
      method: 'POST',
      headers: {
        authorization: basic('worker', 'worker-secret-0123456789'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }),
    });
    await expect(v.verify({ authorization: `Bearer ${token}` })).resolves.toBeDefined(); // cached
    now += 61_000;
    await expect(v.verify({ authorization: `Bearer ${token}` })).rejects.toMatchObject({
      code: 'invalid_token',
      status: 401,
    });
  });

  it('refuses an unknown token as inactive', async () => {
    await expect(verifier(0).verify({ authorization: 'Bearer not-a-real-token' })).rejects.toBeInstanceOf(BearerError);
  });

  it('answers 503, not 401, when the endpoint cannot be reached', async () => {
    await expect(
      verifier(0, 'http://127.0.0.1:1/introspect').verify({ authorization: 'Bearer some-opaque-token' }),
    ).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});
