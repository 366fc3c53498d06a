import { randomBytes } from 'node:crypto';
import { openRedisStore, type Store } from '@gatehouse/store';
import { redisUrl, requireService, TcpProxy } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff } from '../src/app.js';
import { loadBffConfig } from '../src/config/bff-config.js';

// The BFF with its store gone: it fails closed (no session accepted, no login started) with the
// right status for each kind of request, and never a 500. Redis sits behind a loopback proxy that
// the test cuts, which is what an outage looks like to the BFF.
const metadata = {
  issuer: 'https://idp.example.com',
  authorization_endpoint: 'https://idp.example.com/authorize',
  token_endpoint: 'https://idp.example.com/token',
  jwks_uri: 'https://idp.example.com/jwks',
};

const redisAvailable = await requireService('Redis', redisUrl);

describe.runIf(redisAvailable)('BFF with the store unavailable', () => {
  let app: FastifyInstance;
  let store: Store;

  let proxy: TcpProxy;
  const redis = new URL(redisUrl);

  beforeAll(async () => {
    proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    await proxy.start();
    store = await openRedisStore(`redis://127.0.0.1:${proxy.port}`, {
      keyPrefix: `gatehouse-test-outage-${process.pid}:`,
      commandTimeoutMs: 500,
    });
    const config = loadBffConfig({
      publicUrl: 'https://app.example.com',
      issuer: metadata.issuer,
      clientId: 'bff',
      clientSecret: 'a-long-enough-client-secret',
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      routes: [{ path: '/api', target: 'http://127.0.0.1:1' }],
    });
    app = await createBff(config, { store, metadata });
    await proxy.setMode('refuse');
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await proxy?.stop();
  });

  const session = `__Host-gh-session=${randomBytes(32).toString('base64url')}`;

  it('answers API calls and /bff/user with 503 JSON, not 401 or 500', async () => {
    const response = await app.inject({ url: '/api/x', headers: { 'x-csrf': '1', cookie: session } });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: 'unavailable', reason: 'store_unavailable' });
    const user = await app.inject({ url: '/bff/user', headers: { 'x-csrf': '1', cookie: session } });
    expect(user.statusCode).toBe(503);
    // Not "signed out": the browser SDK reads this as BffUnavailableError and asks again later.
    expect(user.headers['retry-after']).toBe('5');
  });

  it('ends a login navigation on the login-failed route', async () => {
    const response = await app.inject({ url: '/bff/login?returnUrl=/x' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/authentication/login-failed?error=temporarily_unavailable');
  });
});
