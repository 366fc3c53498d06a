import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  confidentialClient,
  csrfOf,
  demoUser,
  getRaw,
  internalsPattern,
  listenAuthorizationServer,
  obtainTokens,
  postForm,
  signInAtLoginPage,
  TestBrowser,
  webAppAuthorization,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A stranger with no account sends the authorization server identifiers no client would: a control
 * character (C0 or DEL) in a client id or an email, a Basic user name carrying one, a client id of
 * 600 characters. The store refuses such keys; none of it may reach a 5xx. Each endpoint answers with
 * its own error: OAuth JSON `invalid_request` where it speaks JSON, `invalid_client` for Basic
 * credentials, the readable HTML error page where a browser is talking to it.
 */

let server: AuthorizationServerUnderTest;
beforeAll(async () => {
  server = await listenAuthorizationServer();
});
afterAll(() => server.close());

const controls: [string, string][] = [
  ['SOH', '\u0001'],
  ['a line feed', '\n'],
  ['US', '\u001f'],
  ['DEL', '\u007f'],
];
const longClientId = 'c'.repeat(600);

async function expectJsonError(response: Response, status: number, code: string): Promise<void> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(JSON.parse(body).error).toBe(code);
  expect(body).not.toMatch(internalsPattern);
}

async function expectErrorPage(response: Response): Promise<void> {
  const body = await response.text();
  expect(response.status, body).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('location')).toBeNull();
  expect(body).not.toMatch(internalsPattern);
}

/** A browser with the provider's CSRF cookie and a form token that matches it. */
async function browserWithFormToken(): Promise<{ browser: TestBrowser; csrf: string }> {
  const browser = new TestBrowser();
  const page = await browser.navigate(`${server.issuer}/login`);
  return { browser, csrf: csrfOf(await page.text(), `${server.issuer}/login`) };
}

describe.each(controls)('a stranger putting %s into a parameter', (_label, control) => {
  it('gets the error page, not a 5xx, for a client_id at /authorize', async () => {
    const url = authorizationUrl(server.issuer, {
      response_type: 'code',
      client_id: `web${control}app`,
      redirect_uri: webAppRedirect,
      scope: 'openid',
    });
    await expectErrorPage(await getRaw(server, url));
  });

  it('gets invalid_request JSON, not a 5xx, for a client_id at /token', async () => {
    const response = await postForm(server, `${server.issuer}/token`, {
      grant_type: 'client_credentials',
      client_id: `spa${control}`,
    });
    await expectJsonError(response, 400, 'invalid_request');
  });

  it('gets invalid_request JSON, not a 5xx, for a client_id at /revoke', async () => {
    const response = await postForm(server, `${server.issuer}/revoke`, { token: 'x', client_id: `spa${control}` });
    await expectJsonError(response, 400, 'invalid_request');
  });

  it('gets the error page, not a 5xx, for a client_id at /logout', async () => {
    await expectErrorPage(
      await getRaw(server, `${server.issuer}/logout?client_id=${encodeURIComponent(`web${control}`)}`),
    );
  });

  it('gets the error page, not a 5xx, for a client_id at /logout/confirm', async () => {
    const { browser, csrf } = await browserWithFormToken();
    const response = await browser.post(`${server.issuer}/logout/confirm`, {
      csrf,
      decision: 'logout',
      client_id: `web${control}`,
    });
    await expectErrorPage(response);
  });

  it('gets the error page, not a 5xx, for a client_id at /logged-out', async () => {
    await expectErrorPage(
      await getRaw(server, `${server.issuer}/logged-out?client_id=${encodeURIComponent(`x${control}`)}`),
    );
  });

  it('gets the error page, not a 5xx, for an email at /login', async () => {
    const { browser, csrf } = await browserWithFormToken();
    const response = await browser.post(`${server.issuer}/login`, {
      csrf,
      email: `alice${control}@example.com`,
      password: demoUser.password,
    });
    await expectErrorPage(response);
  });

  it('gets the error page, not a 5xx, for an email at /register', async () => {
    const browser = new TestBrowser();
    const page = await browser.navigate(`${server.issuer}/register`);
    const response = await browser.post(`${server.issuer}/register`, {
      csrf: csrfOf(await page.text(), `${server.issuer}/register`),
      email: `new${control}@example.com`,
      password: 'a fresh long passphrase 42',
    });
    await expectErrorPage(response);
  });

  it('gets invalid_request JSON, not a 5xx, for an audience_client_id at /one-time-code', async () => {
    const tokens = await obtainTokens(server);
    const response = await postForm(
      server,
      `${server.issuer}/one-time-code`,
      { token: tokens.access_token, audience_client_id: `spa${control}` },
      { authorization: webAppAuthorization },
    );
    await expectJsonError(response, 400, 'invalid_request');
  });

  it('gets invalid_client with a Basic challenge, not a 5xx, for a Basic user name', async () => {
    for (const user of [`web${control}app`, encodeURIComponent(`web${control}app`)]) {
      const response = await postForm(
        server,
        `${server.issuer}/token`,
        { grant_type: 'client_credentials' },
        { authorization: `Basic ${Buffer.from(`${user}:${confidentialClient.client_secret}`).toString('base64')}` },
      );
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
      await expectJsonError(response, 401, 'invalid_client');
    }
  });
});

describe('a stranger sending a 600-character client_id', () => {
  it('gets the error page at /authorize, not a 5xx', async () => {
    const url = authorizationUrl(server.issuer, {
      response_type: 'code',
      client_id: longClientId,
      redirect_uri: webAppRedirect,
      scope: 'openid',
    });
    await expectErrorPage(await getRaw(server, url));
  });

  it('gets the error page at /logout, GET and POST, not a 5xx', async () => {
    await expectErrorPage(await getRaw(server, `${server.issuer}/logout?client_id=${longClientId}`));
    await expectErrorPage(await postForm(server, `${server.issuer}/logout`, { client_id: longClientId }));
  });

  it('gets the error page at /logout/confirm, not a 5xx', async () => {
    const { browser, csrf } = await browserWithFormToken();
    const response = await browser.post(`${server.issuer}/logout/confirm`, {
      csrf,
      decision: 'logout',
      client_id: longClientId,
    });
    await expectErrorPage(response);
  });

  it('gets the error page at /logged-out, not a 5xx', async () => {
    await expectErrorPage(await getRaw(server, `${server.issuer}/logged-out?client_id=${longClientId}`));
  });

  it('gets invalid_request JSON at /token and /revoke, not a 5xx', async () => {
    for (const endpoint of ['/token', '/revoke']) {
      const response = await postForm(server, `${server.issuer}${endpoint}`, {
        grant_type: 'client_credentials',
        token: 'x',
        client_id: longClientId,
      });
      await expectJsonError(response, 400, 'invalid_request');
    }
  });

  it('gets invalid_client at /token for a 600-character Basic user name, not a 5xx', async () => {
    const response = await postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${Buffer.from(`${longClientId}:secret`).toString('base64')}` },
    );
    await expectJsonError(response, 401, 'invalid_client');
  });
});

describe('a stranger with an account of their own, sending what the parameter layer lets through', () => {
  it('gets the error page, not a 5xx, when the store refuses the key it builds (a 600-character upstream name)', async () => {
    const browser = new TestBrowser();
    expect((await signInAtLoginPage(server, browser)).status).toBe(303);
    const profile = await browser.navigate(`${server.issuer}/profile`);
    const response = await browser.post(`${server.issuer}/profile/unlink`, {
      csrf: csrfOf(await profile.text(), `${server.issuer}/profile`),
      upstream: 'u'.repeat(600),
    });
    await expectErrorPage(response);
  });
});
