import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  getRaw,
  headerOf,
  listenAuthorizationServer,
  obtainTokens,
  parseForm,
  payloadOf,
  postForm,
  refreshRequest,
  type TestBrowser,
  type TokenSet,
  usersWith,
  webAppLogoutRedirect,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §4: RP-initiated logout redirects only where a valid hint allows, and a cross-site
// request without one cannot end the session.

const bob = { email: 'bob@example.com', password: 'bob has a long password 42' };

describe('logout', () => {
  let server: AuthorizationServerUnderTest;

  beforeAll(async () => {
    server = await listenAuthorizationServer({ users: usersWith(bob) });
  });
  afterAll(() => server.close());

  const logoutUrl = (params: Record<string, string>) => `${server.issuer}/logout?${new URLSearchParams(params)}`;

  /** Whether the browser still has a provider session: `prompt=none` then yields a code. */
  async function isSignedIn(browser: TestBrowser): Promise<boolean> {
    const response = await browser.navigate(
      authorizationUrl(server.issuer, {
        response_type: 'code',
        client_id: 'web-app',
        redirect_uri: webAppRedirect,
        scope: 'openid',
        prompt: 'none',
      }),
    );
    const location = new URL(response.headers.get('location') as string);
    if (location.searchParams.get('code')) return true;
    expect(location.searchParams.get('error')).toBe('login_required');
    return false;
  }

  async function signedIn(
    options: { scope?: string; user?: typeof bob } = {},
  ): Promise<TokenSet & { browser: TestBrowser }> {
    const tokens = await obtainTokens(server, options);
    expect(await isSignedIn(tokens.issued.browser)).toBe(true);
    return { ...tokens, browser: tokens.issued.browser };
  }

  async function expectRefusalPage(response: Response, offered?: string) {
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await response.text();
    if (offered !== undefined) expect(body).not.toContain(offered);
  }

  it('shows a confirmation page for a GET without id_token_hint, and the session survives', async () => {
    const { browser } = await signedIn();
    const response = await browser.navigate(
      logoutUrl({ client_id: 'web-app', post_logout_redirect_uri: webAppLogoutRedirect }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toMatch(/<form[^>]*method="post"/);
    expect(await isSignedIn(browser)).toBe(true);
  });

  it('shows a confirmation page for a cross-site POST without id_token_hint, and the session survives', async () => {
    const { browser } = await signedIn();
    const response = await browser.post(`${server.issuer}/logout`, { client_id: 'web-app' });
    expect(response.status).toBe(200);
    expect(await isSignedIn(browser)).toBe(true);
  });

  it('does not end the session for a valid hint naming another user', async () => {
    const bobIdToken = (await obtainTokens(server, { user: bob })).id_token as string;
    const { browser } = await signedIn();
    const response = await browser.navigate(logoutUrl({ id_token_hint: bobIdToken }));
    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
    expect(await isSignedIn(browser)).toBe(true);
  });

  it('with a valid hint, ends the session and redirects to the registered URI with state', async () => {
    const { browser, id_token: idToken } = await signedIn();
    const state = 'a b&c=d?e#f ü';
    const response = await browser.navigate(
      logoutUrl({ id_token_hint: idToken as string, post_logout_redirect_uri: webAppLogoutRedirect, state }),
    );
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(webAppLogoutRedirect);
    expect(location.searchParams.get('state')).toBe(state);
    expect(await isSignedIn(browser)).toBe(false);
  });

  it.each([
    ['an unregistered URI', 'https://attacker.example/signed-out'],
    ['the registered URI with a trailing slash', `${webAppLogoutRedirect}/`],
    ['the registered URI with an added query', `${webAppLogoutRedirect}?next=https://attacker.example`],
    ["the client's redirect_uri instead", webAppRedirect],
  ])('refuses %s as post_logout_redirect_uri with a page, no redirect', async (_label, offered) => {
    const { browser, id_token: idToken } = await signedIn();
    const response = await browser.navigate(
      logoutUrl({ id_token_hint: idToken as string, post_logout_redirect_uri: offered }),
    );
    await expectRefusalPage(response, offered);
    expect(await isSignedIn(browser)).toBe(true);
  });

  it('refuses a post_logout_redirect_uri when nothing names the client', async () => {
    const { browser } = await signedIn();
    await expectRefusalPage(await browser.navigate(logoutUrl({ post_logout_redirect_uri: webAppLogoutRedirect })));
  });

  it('refuses a tampered id_token_hint with a page, no redirect, and the session survives', async () => {
    const { browser, id_token: idToken } = await signedIn();
    const [header, payload, signature] = (idToken as string).split('.') as [string, string, string];
    const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'usr_someone_else' };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const response = await browser.navigate(
      logoutUrl({ id_token_hint: tampered, post_logout_redirect_uri: webAppLogoutRedirect }),
    );
    await expectRefusalPage(response, webAppLogoutRedirect);
    expect(await isSignedIn(browser)).toBe(true);
  });

  it('refuses an id_token_hint signed by another key under our kid', async () => {
    const { browser, id_token: idToken } = await signedIn();
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(payloadOf(idToken as string))
      .setProtectedHeader({ alg: 'RS256', kid: headerOf(idToken as string).kid as string, typ: 'JWT' })
      .sign(privateKey);
    const response = await browser.navigate(
      logoutUrl({ id_token_hint: forged, post_logout_redirect_uri: webAppLogoutRedirect }),
    );
    await expectRefusalPage(response, webAppLogoutRedirect);
    expect(await isSignedIn(browser)).toBe(true);
  });

  describe('the confirmation form', () => {
    async function confirmationPage(browser: TestBrowser) {
      const url = logoutUrl({ client_id: 'web-app', post_logout_redirect_uri: webAppLogoutRedirect, state: 's-1' });
      const response = await browser.navigate(url);
      expect(response.status).toBe(200);
      return parseForm(await response.text(), url);
    }

    it('refuses a POST without its CSRF token with 403, and the session survives', async () => {
      const { browser } = await signedIn();
      const form = await confirmationPage(browser);
      const { csrf: _csrf, ...withoutCsrf } = form.fields;
      const response = await browser.post(form.action, { ...withoutCsrf, decision: 'logout' });
      expect(response.status).toBe(403);
      expect(await isSignedIn(browser)).toBe(true);
    });

    it("refuses a POST carrying another browser's CSRF token with 403", async () => {
      const attacker = await signedIn();
      const attackerForm = await confirmationPage(attacker.browser);
      const { browser } = await signedIn();
      await confirmationPage(browser);
      const response = await browser.post(attackerForm.action, { ...attackerForm.fields, decision: 'logout' });
      expect(response.status).toBe(403);
      expect(await isSignedIn(browser)).toBe(true);
    });

    it('ends the session with its CSRF token, answering 303 like every successful POST', async () => {
      const { browser } = await signedIn();
      const form = await confirmationPage(browser);
      const response = await browser.post(form.action, { ...form.fields, decision: 'logout' });
      expect(await isSignedIn(browser)).toBe(false);
      expect(response.status).toBe(303);
    });

    it('ends the session when no return address was given, answering 303 like every successful POST', async () => {
      const { browser } = await signedIn();
      const url = logoutUrl({});
      const form = parseForm(await (await browser.navigate(url)).text(), url);
      const response = await browser.post(form.action, { ...form.fields, decision: 'logout' });
      expect(await isSignedIn(browser)).toBe(false);
      expect(response.status).toBe(303);
    });
  });

  it('ends the refresh tokens of grants without offline_access, and keeps offline ones', async () => {
    const { browser, id_token: idToken, refresh_token: online } = await signedIn({ scope: 'openid api' });
    const offline = await obtainTokens(server, { browser, scope: 'openid offline_access api' });
    const response = await browser.navigate(logoutUrl({ id_token_hint: idToken as string }));
    expect(response.status).toBeLessThan(400);
    expect(await isSignedIn(browser)).toBe(false);
    expect((await refreshRequest(server, 'web-app', online as string)).status).toBe(400);
    expect((await refreshRequest(server, 'web-app', offline.refresh_token as string)).status).toBe(200);
  });

  it('never lets CR/LF from state reach a response header', async () => {
    const { browser, id_token: idToken } = await signedIn();
    const response = await browser.navigate(
      logoutUrl({
        id_token_hint: idToken as string,
        post_logout_redirect_uri: webAppLogoutRedirect,
        state: 'x\r\nSet-Cookie: injected=1\r\n',
      }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).not.toMatch(/[\r\n]/);
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('injected'))).toBe(false);
  });

  it('answers a POST /logout form without a session with the signed-out page (no 500)', async () => {
    const response = await postForm(server, `${server.issuer}/logout`, { client_id: 'web-app' });
    expect(response.status).toBe(200);
    expect((await getRaw(server, `${server.issuer}/logout?client_id=nobody`)).status).toBe(400);
  });
});
