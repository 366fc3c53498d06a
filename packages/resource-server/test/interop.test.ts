import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOidcProvider } from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestVerifier } from '../src/core/verify-request.js';

// Tokens from oidc-provider, an independent certified provider, accepted the same way: JWT access
// tokens (RFC 9068) for a resource indicator, obtained with client credentials over real HTTP.
describe('interop with oidc-provider', () => {
  let server: Server;
  let issuer: string;
  const resource = 'https://api.test';

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
          // Only an ES256 key is configured, so the client's default RS256 would not do.
          id_token_signed_response_alg: 'ES256',
        },
      ],
      scopes: ['api'],
      features: {
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => resource,
          getResourceServerInfo: () => ({
            scope: 'api',
            audience: resource,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          }),
          useGrantedResource: () => true,
        },
      },
      jwks: { keys: [await ecKey()] },
      // Set rather than left to the default, which prints a notice when first called (the same 10 minutes).
      ttl: { ClientCredentials: 600 },
    });
    server.on('request', provider.callback());
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a client-credentials JWT access token from oidc-provider, as a client principal', async () => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('worker:worker-secret-0123456789').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', resource }),
    });
    const body = (await response.json()) as { access_token: string };
    if (!body.access_token) throw new Error(`oidc-provider refused: ${JSON.stringify(body)}`);
    const token = body.access_token;
    expect(token.split('.')).toHaveLength(3);
    const verifier = createRequestVerifier({ issuer, audience: resource });
    const principal = await verifier.verify({ authorization: `Bearer ${token}` }, { allOf: ['api'] });
    expect(principal).toMatchObject({ kind: 'client', subject: 'worker', clientId: 'worker' });
    await expect(
      createRequestVerifier({ issuer, audience: 'https://other.test' }).verify({ authorization: `Bearer ${token}` }),
    ).rejects.toMatchObject({ code: 'invalid_token' });
  });
});

async function ecKey() {
  const { generateKeyPair, exportJWK } = await import('jose');
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: 'provider-key', alg: 'ES256', use: 'sig' };
}
