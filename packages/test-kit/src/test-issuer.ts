import { KeyObject, sign, type webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/**
 * A minimal real issuer on loopback for the resource-server tests: discovery and a JWKS over HTTP,
 * keys made with jose, and a `mint` that signs access tokens like an authorization server would.
 * The JWKS can be rotated, taken down, and counted.
 */
export async function startTestIssuer() {
  const server: Server = createServer((request, response) => {
    if (state.down) {
      response.writeHead(503).end();
      return;
    }
    if (request.url === '/.well-known/openid-configuration') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      return;
    }
    if (request.url === '/jwks') {
      state.jwksFetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: state.published }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function newKey(kid: string, alg = 'ES256') {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    return { kid, alg, privateKey, publicKey, jwk };
  }
  const first = await newKey('key-1');
  const state = { published: [first.jwk] as JWK[], down: false, jwksFetches: 0, signing: first };

  return {
    issuer,
    state,
    newKey,
    /** Signs an access token; `header` and `claims` override the defaults of a valid one. */
    async mint(
      claims: JWTPayload = {},
      options: { header?: Record<string, unknown>; key?: Awaited<ReturnType<typeof newKey>>; nowSeconds?: number } = {},
    ) {
      const key = options.key ?? state.signing;
      const iat = options.nowSeconds ?? Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: issuer,
        aud: 'https://api.test',
        sub: 'alice',
        client_id: 'spa',
        scope: 'api read',
        iat,
        exp: iat + 300,
        jti: crypto.randomUUID(),
        ...claims,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...options.header })
        .sign(key.privateKey);
    },
    /** Signs any header and payload as given (jose refuses some on purpose, e.g. unknown `crit`). */
    async signRaw(header: Record<string, unknown>, payload: Record<string, unknown>) {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const input = `${encode(header)}.${encode(payload)}`;
      // jose hands out a CryptoKey or a KeyObject depending on its version; node's sign takes either.
      const privateKey = state.signing.privateKey as unknown as KeyObject | webcrypto.CryptoKey;
      const key = privateKey instanceof KeyObject ? privateKey : KeyObject.from(privateKey);
      const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      return `${input}.${Buffer.from(signature).toString('base64url')}`;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
