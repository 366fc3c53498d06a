import {
  demoUser,
  freePort,
  type RunningAuthorizationServer,
  startAuthorizationServer,
  TestBrowser,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationUrl, finishAtProvider, formEndingWith, redeem, redirectUri } from '../federation-harness.js';

// A second Gatehouse authorization server as the OpenID upstream of the first: discovery, RFC 9207 `iss`
// on the callback, ID token + nonce, and the upstream's own `amr` carried into the local session.
describe('a Gatehouse authorization server as the upstream of another', () => {
  let upstream: RunningAuthorizationServer;
  let downstream: RunningAuthorizationServer;
  const upstreamUser = { email: 'uma@upstream.test', password: 'upstream passphrase 0123', name: 'Uma Upstream' };

  beforeAll(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    upstream = await startAuthorizationServer({
      users: [upstreamUser],
      clients: [
        {
          client_id: 'downstream',
          client_secret: 'downstream-secret-0123456789abcdefghij',
          client_name: 'Downstream',
          redirect_uris: [`${issuer}/upstream/parent/callback`, `${issuer}/upstream/parent-es/callback`],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid profile email offline_access',
        },
      ],
    });
    downstream = await startAuthorizationServer({
      issuer,
      port,
      upstreams: [
        {
          name: 'parent',
          displayName: 'Parent Gatehouse',
          type: 'oidc',
          issuer: upstream.issuer,
          clientId: 'downstream',
          clientSecret: 'downstream-secret-0123456789abcdefghij',
          scopes: ['openid', 'profile', 'email', 'offline_access'],
          apiBaseUrl: `${upstream.issuer}/userinfo`,
        },
        {
          // The same upstream, configured as signing with ES256: its RS256 ID tokens must be refused.
          name: 'parent-es',
          displayName: 'Parent Gatehouse (ES256)',
          type: 'oidc',
          issuer: upstream.issuer,
          clientId: 'downstream',
          clientSecret: 'downstream-secret-0123456789abcdefghij',
          idTokenSigningAlg: 'ES256',
        },
      ],
    });
  });
  afterAll(async () => {
    await downstream?.close();
    await upstream?.close();
  });

  it('signs in through the upstream, keeps its amr, and calls its UserInfo as the user', async () => {
    const browser = new TestBrowser();
    const { url, verifier } = authorizationUrl(downstream.issuer);
    const login = await browser.follow(url, redirectUri);
    const form = formEndingWith(await login.response.text(), login.url, '/upstream/parent/start');
    const started = await browser.post(form.action, form.fields);
    const atUpstream = started.headers.get('location') as string;
    expect(atUpstream.startsWith(`${upstream.issuer}/authorize?`)).toBe(true);
    const callbackPrefix = `${downstream.issuer}/upstream/parent/callback`;
    const callback = await browser.authorize(atUpstream, callbackPrefix, upstreamUser);
    expect(callback.searchParams.get('iss')).toBe(upstream.issuer);
    const back = await browser.follow(callback.href, redirectUri);
    const code = await finishAtProvider(browser, back);
    const { claims } = await redeem(downstream.issuer, code, verifier);
    expect(claims.amr).toEqual(['fed', 'pwd']);
    expect(claims.email).toBe(upstreamUser.email);
    expect(claims.email_verified).toBe(true);
    expect(claims.sub).not.toBe(demoUser.email);

    const info = await downstream.app.upstreams.fetch(claims.sub as string, 'parent', `${upstream.issuer}/userinfo`);
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ email: upstreamUser.email });
  });

  it('refuses an ID token signed with another algorithm than the one configured for the upstream', async () => {
    const browser = new TestBrowser();
    const login = await browser.follow(authorizationUrl(downstream.issuer).url, redirectUri);
    const form = formEndingWith(await login.response.text(), login.url, '/upstream/parent-es/start');
    const started = await browser.post(form.action, form.fields);
    const callback = await browser.authorize(
      started.headers.get('location') as string,
      `${downstream.issuer}/upstream/parent-es/callback`,
      upstreamUser,
    );
    const answer = await browser.navigate(callback.href);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('set-cookie') ?? '').not.toContain('__Host-gh-as-session=');
  });

  it('refuses a callback whose iss names another issuer (mix-up), redeeming nothing', async () => {
    const browser = new TestBrowser();
    const login = await browser.follow(authorizationUrl(downstream.issuer).url, redirectUri);
    const form = formEndingWith(await login.response.text(), login.url, '/upstream/parent/start');
    const started = await browser.post(form.action, form.fields);
    const callback = await browser.authorize(
      started.headers.get('location') as string,
      `${downstream.issuer}/upstream/parent/callback`,
      upstreamUser,
    );
    callback.searchParams.set('iss', 'https://attacker.example');
    const answer = await browser.navigate(callback.href);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('could not be trusted');
  });
});
