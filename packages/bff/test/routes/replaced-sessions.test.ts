import { randomBytes } from 'node:crypto';
import { discoverProvider, requestTokens } from '@gatehouse/oidc-client';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { freePort, loginAtProvider, type ProviderPeer, startProviderPeer, TestBrowser } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff } from '../../src/app.js';
import { loadBffConfig } from '../../src/config/bff-config.js';
import { isSameProviderSignIn } from '../../src/routes/replaced-sessions.js';
import { SessionStore } from '../../src/session/session-store.js';
import { createTokenCipher } from '../../src/session/token-cipher.js';

describe('isSameProviderSignIn', () => {
  it('is true only for the same user in the same provider session', () => {
    expect(
      isSameProviderSignIn({ subject: 'a', providerSessionId: 's' }, { subject: 'a', providerSessionId: 's' }),
    ).toBe(true);
    expect(
      isSameProviderSignIn({ subject: 'a', providerSessionId: null }, { subject: 'a', providerSessionId: null }),
    ).toBe(true);
    expect(
      isSameProviderSignIn({ subject: 'a', providerSessionId: 's' }, { subject: 'b', providerSessionId: 's' }),
    ).toBe(false);
    expect(
      isSameProviderSignIn({ subject: 'a', providerSessionId: 's' }, { subject: 'a', providerSessionId: 't' }),
    ).toBe(false);
  });
});

// Over HTTP against oidc-provider, which revokes a refresh token's whole grant (RFC 7009 §2.1 allows
// it) and reuses one grant for the same user and client within one provider session.
describe('a sign-in that replaces the browser’s session', () => {
  let peer: ProviderPeer;
  let bff: FastifyInstance;
  let sessions: SessionStore;
  let origin: string;

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    peer = await startProviderPeer({ redirectUri: `${origin}/bff/callback` });
    const key = randomBytes(32).toString('base64url');
    const config = loadBffConfig({
      publicUrl: origin,
      issuer: peer.issuer,
      clientId: peer.client.clientId,
      clientSecret: peer.client.clientSecret,
      scopes: ['openid', 'profile', 'offline_access'],
      tokenEncryptionKeys: [key],
    });
    const store: Store = openMemoryStore();
    sessions = new SessionStore(store, createTokenCipher([key]), {
      idleTimeoutSeconds: config.sessionIdleTimeoutSeconds,
      absoluteTimeoutSeconds: config.sessionAbsoluteTimeoutSeconds,
    });
    bff = await createBff(config, { store });
    await bff.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await bff?.close();
    await peer?.stop();
  });

  async function signIn(browser: TestBrowser, path = '/bff/login') {
    const start = await browser.navigate(`${path}?returnUrl=/`);
    const callback = await loginAtProvider(start.headers.get('location') as string, 'alice', browser);
    expect((await browser.navigate(callback.href, { from: peer.issuer })).status).toBe(200);
    return browser.cookie('__Host-gh-session') as string;
  }

  it('by the same user in the same provider session ends the old session and keeps the new one’s grant', async () => {
    const browser = new TestBrowser({ origin: origin });
    const first = await signIn(browser);
    // Signed in at the provider already (the same browser): a silent sign-in, as the SDK does to renew.
    const second = await signIn(browser, '/bff/silent-login');
    expect(second).not.toBe(first);
    expect(await sessions.load(first, Date.now())).toBeUndefined();

    const current = await sessions.load(second, Date.now());
    const refreshed = await requestTokens(await discoverProvider(peer.issuer), peer.client, {
      grant_type: 'refresh_token',
      refresh_token: current?.session.tokens.refreshToken as string,
    });
    expect(refreshed.access_token).toBeTypeOf('string');
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(200);
  });
});
