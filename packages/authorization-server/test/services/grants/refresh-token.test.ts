import {
  type AuthorizationServerUnderTest,
  buildAuthorizationServer,
  csrfOf,
  introspect,
  obtainTokens,
  payloadOf,
  refreshRequest,
  type TestBrowser,
  type TokenSet,
  userinfo,
  usersWith,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §3: refresh tokens are rotated, bound to their client, never outlive their grant, and
// end when the user changes password or revokes the client.

const frank = { email: 'frank@example.com', password: 'frank has a long password 42' };

describe('refresh token rotation', () => {
  let server: AuthorizationServerUnderTest;

  beforeAll(async () => {
    // Absolute limit 120 s, idle limit 100 s: short enough to cross with the clock.
    server = await buildAuthorizationServer({
      refreshTokenTtlSeconds: 120,
      refreshTokenIdleTtlSeconds: 100,
      users: usersWith(frank),
    });
  });
  afterAll(() => server.close());

  async function rotate(refreshToken: string, extra: Record<string, string> = {}): Promise<TokenSet> {
    const response = await refreshRequest(server, 'web-app', refreshToken, extra);
    expect(response.status).toBe(200);
    return (await response.json()) as TokenSet;
  }

  async function expectRefused(response: Response, error = 'invalid_grant') {
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe(error);
  }

  it('revokes the whole family when a rotated token is reused after the grace window', async () => {
    const first = await obtainTokens(server);
    const second = await rotate(first.refresh_token as string);
    server.clock.advance(31);

    await expectRefused(await refreshRequest(server, 'web-app', first.refresh_token as string));

    await expectRefused(await refreshRequest(server, 'web-app', second.refresh_token as string));
    expect(await (await introspect(server, second.access_token)).json()).toEqual({ active: false });
    expect(await (await introspect(server, first.access_token)).json()).toEqual({ active: false });
  });

  it('gives a retry within the grace window the same successor', async () => {
    const first = await obtainTokens(server);
    const second = await rotate(first.refresh_token as string);
    server.clock.advance(5);
    const retried = await rotate(first.refresh_token as string);
    expect(retried.refresh_token).toBe(second.refresh_token);
    const third = await rotate(second.refresh_token as string);
    expect(third.refresh_token).not.toBe(second.refresh_token);
  });

  it('gives 5 concurrent uses of one token the same successor', async () => {
    const first = await obtainTokens(server);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => refreshRequest(server, 'web-app', first.refresh_token as string)),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    const successors = new Set(
      await Promise.all(responses.map(async (response) => ((await response.json()) as TokenSet).refresh_token)),
    );
    expect(successors.size).toBe(1);
    expect([...successors][0]).not.toBe(first.refresh_token);
    await rotate([...successors][0] as string);
  });

  it("refuses another client's refresh token, both ways", async () => {
    const webApp = await obtainTokens(server);
    const spa = await obtainTokens(server, { client: 'spa' });
    expect(spa.refresh_token).toBeTruthy();
    await expectRefused(await refreshRequest(server, 'spa', webApp.refresh_token as string));
    await expectRefused(await refreshRequest(server, 'web-app', spa.refresh_token as string));
  });

  it('refuses a scope wider than the grant with invalid_scope', async () => {
    const tokens = await obtainTokens(server, { scope: 'openid api' });
    const refresh = tokens.refresh_token as string;
    await expectRefused(
      await refreshRequest(server, 'web-app', refresh, { scope: 'openid api email' }),
      'invalid_scope',
    );
    await expectRefused(await refreshRequest(server, 'web-app', refresh, { scope: 'openid admin' }), 'invalid_scope');
  });

  it('honours a narrower scope in the access token', async () => {
    const tokens = await obtainTokens(server, { scope: 'openid profile email offline_access api' });
    const narrowed = await rotate(tokens.refresh_token as string, { scope: 'api' });
    expect(narrowed.scope).toBe('api');
    expect(payloadOf(narrowed.access_token).scope).toBe('api');
    expect((await userinfo(server, narrowed.access_token)).status).toBe(403);
  });

  it("never extends the grant's absolute lifetime by rotating", async () => {
    const first = await obtainTokens(server);
    server.clock.advance(50);
    const second = await rotate(first.refresh_token as string);
    server.clock.advance(50);
    const third = await rotate(second.refresh_token as string);
    server.clock.advance(25); // 125 s after sign-in: past the 120 s absolute limit, within every idle limit
    await expectRefused(await refreshRequest(server, 'web-app', third.refresh_token as string));
  });

  it('ends a refresh token left unused past the idle limit', async () => {
    const first = await obtainTokens(server);
    server.clock.advance(101);
    await expectRefused(await refreshRequest(server, 'web-app', first.refresh_token as string));
  });

  it('keeps iss, sub, aud and auth_time in the refreshed ID token, without the nonce', async () => {
    const first = await obtainTokens(server, { params: { nonce: 'n-0S6_WzA2Mj' } });
    expect(payloadOf(first.id_token as string).nonce).toBe('n-0S6_WzA2Mj');
    server.clock.advance(5);
    const second = await rotate(first.refresh_token as string);
    const before = payloadOf(first.id_token as string);
    const after = payloadOf(second.id_token as string);
    for (const claim of ['iss', 'sub', 'aud', 'auth_time']) expect(after[claim]).toEqual(before[claim]);
    expect(after).not.toHaveProperty('nonce');
  });

  describe('ended from the profile page', () => {
    async function profileCsrf(browser: TestBrowser): Promise<string> {
      const page = await browser.navigate(`${server.issuer}/profile`);
      expect(page.status).toBe(200);
      return csrfOf(await page.text(), `${server.issuer}/profile`);
    }

    it('needs the current password to change it, and a change ends every refresh token of the user', async () => {
      const tokens = await obtainTokens(server, { user: frank });
      const browser = tokens.issued.browser;
      const csrf = await profileCsrf(browser);

      const refused = await browser.post(`${server.issuer}/profile/password`, {
        csrf,
        current_password: 'not the current password',
        new_password: 'a brand new long password 43',
      });
      expect(refused.status).toBe(400);
      const stillWorks = await rotate(tokens.refresh_token as string);

      const changed = await browser.post(`${server.issuer}/profile/password`, {
        csrf,
        current_password: frank.password,
        new_password: 'a brand new long password 43',
      });
      expect(changed.status).toBe(303);
      await expectRefused(await refreshRequest(server, 'web-app', stillWorks.refresh_token as string));
      expect(await (await introspect(server, stillWorks.access_token)).json()).toEqual({ active: false });
    });

    it('ends the refresh tokens of a client whose access the user revokes', async () => {
      const tokens = await obtainTokens(server);
      const browser = tokens.issued.browser;
      const revoked = await browser.post(`${server.issuer}/profile/revoke`, {
        csrf: await profileCsrf(browser),
        client_id: 'web-app',
      });
      expect(revoked.status).toBe(303);
      await expectRefused(await refreshRequest(server, 'web-app', tokens.refresh_token as string));
    });
  });
});
