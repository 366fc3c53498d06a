import { openMemoryStore, type Store, StoreUnavailableError } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  internalsPattern,
  introspect,
  listenAuthorizationServer,
  obtainTokens,
  refreshRequest,
  type TestBrowser,
  type TokenSet,
  userinfo,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §1: with the store unavailable the server answers 503 and fails closed — no token
// issued, no session accepted — and recovers when the store returns.

/** A memory store that raises `StoreUnavailableError`, as a lost connection does, while `down` is set. */
function interruptibleStore(inner: Store, outage: { down: boolean }): Store {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inner)) {
    wrapped[name] =
      typeof value === 'function' && name !== 'close'
        ? async (...args: unknown[]) => {
            if (outage.down) throw new StoreUnavailableError('the store is unreachable');
            return (value as (...a: unknown[]) => unknown).apply(inner, args);
          }
        : value;
  }
  return wrapped as unknown as Store;
}

describe('store outage', () => {
  let server: AuthorizationServerUnderTest;
  let tokens: TokenSet;
  let browser: TestBrowser;
  const outage = { down: false };

  beforeAll(async () => {
    server = await listenAuthorizationServer(
      {},
      { store: (clock) => interruptibleStore(openMemoryStore({ now: clock.now, sweepIntervalMs: 0 }), outage) },
    );
    const signedIn = await obtainTokens(server);
    tokens = signedIn;
    browser = signedIn.issued.browser;
  });
  afterAll(() => {
    outage.down = false;
    return server?.close();
  });

  const silentAuthorization = () =>
    browser.navigate(
      authorizationUrl(server.issuer, {
        response_type: 'code',
        client_id: 'web-app',
        redirect_uri: webAppRedirect,
        scope: 'openid',
        prompt: 'none',
      }),
    );

  it('answers 503 everywhere while the store is down, issuing nothing and accepting no session', async () => {
    outage.down = true;
    try {
      const refreshed = await refreshRequest(server, 'web-app', tokens.refresh_token as string);
      expect(refreshed.status).toBe(503);
      const body = await refreshed.text();
      expect(JSON.parse(body)).toMatchObject({ error: 'temporarily_unavailable' });
      expect(body).not.toContain('access_token');
      expect(refreshed.headers.get('cache-control')).toBe('no-store');

      const authorization = await silentAuthorization();
      expect(authorization.status).toBe(503);
      expect(authorization.headers.get('location')).toBeNull();
      expect(await authorization.text()).not.toMatch(internalsPattern);

      const info = await userinfo(server, tokens.access_token);
      expect(info.status).toBe(503);
      expect(await info.text()).not.toContain('@example.com');

      const introspected = await introspect(server, tokens.access_token);
      expect(introspected.status).toBe(503);
      expect(await introspected.text()).not.toContain('"active":true');
    } finally {
      outage.down = false;
    }
  });

  it('recovers when the store returns', async () => {
    expect((await refreshRequest(server, 'web-app', tokens.refresh_token as string)).status).toBe(200);
    const authorization = await silentAuthorization();
    expect(new URL(authorization.headers.get('location') as string).searchParams.get('code')).toBeTruthy();
  });
});
