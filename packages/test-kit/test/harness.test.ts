import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthorizationServer } from '../src/authorization-server.js';
import { obtainTokens, userinfo } from '../src/authorization-server-flows.js';
import { type BffUnderTest, bffClientAt, buildBff } from '../src/bff.js';
import { demoUser } from '../src/fixtures.js';

describe('the inject() harness', () => {
  it('answers an authorization server’s whole code flow in-process, on a clock the test moves', async () => {
    const server = await buildAuthorizationServer();
    try {
      const tokens = await obtainTokens(server);
      expect((await userinfo(server, tokens.access_token)).status).toBe(200);
      server.clock.advance(3600);
      expect((await userinfo(server, tokens.access_token)).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('never listens: the server has no address', async () => {
    const server = await buildAuthorizationServer();
    expect(server.app.server.listening).toBe(false);
    await server.close();
  });
});

describe('a BFF on the harness', () => {
  let provider: Awaited<ReturnType<typeof buildAuthorizationServer>>;
  let bff: BffUnderTest;

  beforeAll(async () => {
    provider = await buildAuthorizationServer({ clients: [bffClientAt()] });
    bff = await buildBff(provider);
  });
  afterAll(async () => {
    await bff?.close();
    await provider?.close();
  });

  it('signs a browser in through the provider and back, no socket anywhere', async () => {
    const browser = bff.browser();
    const start = await browser.navigate('/bff/login?returnUrl=/');
    expect(start.status).toBe(302);
    const callback = await browser.authorize(start.headers.get('location') as string, `${bff.origin}/bff/callback`);
    const landing = await browser.navigate(callback.href, { from: provider.issuer });
    expect(landing.status).toBeLessThan(400);
    expect(browser.cookie('__Host-gh-session')).toBeDefined();
    const user = await browser.fetch('/bff/user', { csrf: true });
    expect(user.status).toBe(200);
    expect(((await user.json()) as { claims: { email?: string } }).claims.email).toBe(demoUser.email);
  });

  it('refuses a script request without x-csrf (the BFF under the harness is the real one)', async () => {
    expect((await bff.browser().fetch('/bff/user')).status).toBe(403);
  });
});
