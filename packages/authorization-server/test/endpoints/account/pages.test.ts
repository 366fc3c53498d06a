import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  buildAuthorizationServer,
  clientsWith,
  cookieValue,
  csrfOf,
  getRaw,
  parseForm,
  sessionCookie,
  signInAtLoginPage,
  type TestBrowser,
  usersWith,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §4: the provider's pages, their forms, accounts and the session cookie.

const alice = { email: 'alice@example.com', password: 'correct horse battery staple' };
const carol = { email: 'carol@example.com', password: 'carol has a long password 42' };
const markupName = '<img src=x onerror=alert(1)>';
const markupClient = {
  client_id: 'markup-name',
  client_secret: 'markup-name-secret-0123456789abcdefghij',
  client_name: markupName,
  redirect_uris: ['http://127.0.0.1:9999/markup'],
  scope: 'openid profile',
};
const firstParty = {
  client_id: 'first-party',
  client_secret: 'first-party-secret-0123456789abcdefghij',
  redirect_uris: ['http://127.0.0.1:9999/first-party'],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline_access',
  skip_consent: true,
};

describe('pages', () => {
  let server: AuthorizationServerUnderTest;

  beforeAll(async () => {
    server = await buildAuthorizationServer({
      clients: clientsWith(markupClient, firstParty),
      users: usersWith(carol),
      rateLimits: { loginFailuresPerAccount: 3 },
    });
  });
  afterAll(() => server.close());

  /** Starts an authorization in `browser` and returns the page it stops at (login or consent). */
  async function pageOf(browser: TestBrowser, params: Record<string, string>, redirectUri = webAppRedirect) {
    const url = authorizationUrl(server.issuer, {
      response_type: 'code',
      client_id: 'web-app',
      redirect_uri: redirectUri,
      scope: 'openid',
      ...params,
    });
    const step = await browser.follow(url, redirectUri);
    expect(step.response.status).toBe(200);
    return { url: step.url, html: await step.response.text() };
  }

  describe('security headers', () => {
    const pages: [string, () => Promise<Response>][] = [
      ['the login page', () => getRaw(server, `${server.issuer}/login`)],
      ['the registration page', () => getRaw(server, `${server.issuer}/register`)],
      [
        'the login page of an authorization',
        async () => {
          const browser = server.browser();
          const { url } = await pageOf(browser, {});
          return browser.navigate(url);
        },
      ],
      ['an error page', () => getRaw(server, `${server.issuer}/authorize?client_id=nobody`)],
      ['the not-found page', () => getRaw(server, `${server.issuer}/no-such-page`)],
      ['the signed-out page', () => getRaw(server, `${server.issuer}/logout`)],
    ];

    it.each(pages)('are all sent with %s', async (_label, open) => {
      const response = await open();
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = new Map(
        (response.headers.get('content-security-policy') ?? '')
          .split(';')
          .map((directive) => directive.trim().split(/\s+/))
          .map(([name, ...values]) => [name as string, values]),
      );
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'none'"]);
      const scripts = csp.get('script-src') ?? csp.get('default-src');
      expect(scripts).toBeDefined();
      expect(scripts).not.toContain("'unsafe-inline'");
      expect(scripts).not.toContain("'unsafe-eval'");
      expect(scripts).not.toContain('*');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.text()).not.toMatch(/<script|\son[a-z]+=/i);
    });
  });

  describe('forms and CSRF', () => {
    it('refuses a sign-in POST without a CSRF token with 403 and no session', async () => {
      const browser = server.browser();
      await browser.navigate(`${server.issuer}/login`);
      const response = await browser.post(`${server.issuer}/login`, alice);
      expect(response.status).toBe(403);
      expect(cookieValue(response, sessionCookie)).toBeUndefined();
    });

    it("refuses a sign-in POST carrying another browser's CSRF token with 403 and no session", async () => {
      const attacker = server.browser();
      const attackerPage = await (await attacker.navigate(`${server.issuer}/login`)).text();
      const victim = server.browser();
      await victim.navigate(`${server.issuer}/login`);
      const response = await victim.post(`${server.issuer}/login`, {
        ...alice,
        csrf: csrfOf(attackerPage, `${server.issuer}/login`),
      });
      expect(response.status).toBe(403);
      expect(cookieValue(response, sessionCookie)).toBeUndefined();
    });

    it('refuses a sign-in POST from a browser without the CSRF cookie (a cross-site form)', async () => {
      const attackerPage = await (await server.browser().navigate(`${server.issuer}/login`)).text();
      const response = await server.browser().post(`${server.issuer}/login`, {
        ...alice,
        csrf: csrfOf(attackerPage, `${server.issuer}/login`),
      });
      expect(response.status).toBe(403);
      expect(cookieValue(response, sessionCookie)).toBeUndefined();
    });

    it('refuses a consent POST without a CSRF token with 403 and issues no code', async () => {
      const browser = server.browser();
      const login = await pageOf(browser, { scope: 'openid profile email' });
      const consent = await browser.submit(login.url, login.html, alice, webAppRedirect);
      expect(consent.response.status).toBe(200);
      const consentPage = await consent.response.text();
      const form = parseForm(consentPage, consent.url);
      const response = await browser.post(form.action, { decision: 'allow' });
      expect(response.status).toBe(403);
      expect(response.headers.get('location')).toBeNull();
      const again = await browser.navigate(consent.url);
      expect(await again.text()).toContain('name="decision"');
    });

    it('refuses a profile POST without a CSRF token with 403 and changes nothing', async () => {
      const browser = server.browser();
      expect((await signInAtLoginPage(server, browser)).status).toBe(303);
      const response = await browser.post(`${server.issuer}/profile/name`, { name: 'Mallory' });
      expect(response.status).toBe(403);
      expect(await (await browser.navigate(`${server.issuer}/profile`)).text()).not.toContain('Mallory');
    });

    it('refuses a registration POST without a CSRF token with 403 and creates no account', async () => {
      const browser = server.browser();
      await browser.navigate(`${server.issuer}/register`);
      const account = { email: 'csrf-victim@example.com', password: 'a long enough password 42' };
      const response = await browser.post(`${server.issuer}/register`, account);
      expect(response.status).toBe(403);
      expect((await signInAtLoginPage(server, server.browser(), account)).status).toBe(400);
    });

    it('answers successful form POSTs with 303: sign-in, consent, registration, profile', async () => {
      const browser = server.browser();
      const login = await pageOf(browser, { scope: 'openid profile email api' });
      const form = parseForm(login.html, login.url);
      const signedIn = await browser.post(form.action, { ...form.fields, ...alice });
      expect(signedIn.status).toBe(303);
      const consentUrl = new URL(signedIn.headers.get('location') as string, form.action).href;
      const consentPage = await (await browser.navigate(consentUrl)).text();
      const consentForm = parseForm(consentPage, consentUrl);
      const allowed = await browser.post(consentForm.action, { ...consentForm.fields, decision: 'allow' });
      expect(allowed.status).toBe(303);

      const registerPage = await (await browser.navigate(`${server.issuer}/register`)).text();
      const registered = await browser.post(`${server.issuer}/register`, {
        csrf: csrfOf(registerPage, `${server.issuer}/register`),
        email: 'new-user-303@example.com',
        password: 'a long enough password 42',
      });
      expect(registered.status).toBe(303);

      const profilePage = await (await browser.navigate(`${server.issuer}/profile`)).text();
      const renamed = await browser.post(`${server.issuer}/profile/name`, {
        csrf: csrfOf(profilePage, `${server.issuer}/profile`),
        name: 'Alice',
      });
      expect(renamed.status).toBe(303);
    });
  });

  describe('escaping', () => {
    it('escapes a login_hint carrying markup in the login page', async () => {
      const hint = '"><script>alert(1)</script>@example.com';
      const { html } = await pageOf(server.browser(), { login_hint: hint });
      expect(html).not.toContain('<script>alert(1)</script>');
      expect(html).not.toContain('"><script');
      expect(html).toContain('&lt;script&gt;');
    });

    it('escapes a client name carrying markup in the login and consent pages', async () => {
      const browser = server.browser();
      const redirect = 'http://127.0.0.1:9999/markup';
      const login = await pageOf(browser, { client_id: 'markup-name', redirect_uri: redirect }, redirect);
      expect(login.html).not.toContain(markupName);
      expect(login.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      const consent = await browser.submit(login.url, login.html, alice, redirect);
      const consentPage = await consent.response.text();
      expect(consentPage).toContain('name="decision"');
      expect(consentPage).not.toContain(markupName);
    });
  });

  describe('consent', () => {
    it('asks for offline_access explicitly, even for a client that skips consent', async () => {
      const redirect = 'http://127.0.0.1:9999/first-party';
      const browser = server.browser();
      const url = (scope: string) =>
        authorizationUrl(server.issuer, {
          response_type: 'code',
          client_id: 'first-party',
          redirect_uri: redirect,
          scope,
        });
      const withoutOffline = await browser.authorize(url('openid'), redirect);
      expect(withoutOffline.searchParams.get('code')).toBeTruthy();
      const step = await browser.follow(url('openid offline_access'), redirect);
      expect(step.url.startsWith(redirect)).toBe(false);
      const page = await step.response.text();
      expect(page).toContain('name="decision"');
      expect(page).toMatch(/offline/i);
    });
  });

  describe('no account enumeration', () => {
    it('answers a wrong password and an unknown email alike, apart from the echoed email', async () => {
      const browser = server.browser();
      const attempt = async (email: string) => {
        const page = await (await browser.navigate(`${server.issuer}/login`)).text();
        const response = await browser.post(`${server.issuer}/login`, {
          csrf: csrfOf(page, `${server.issuer}/login`),
          email,
          password: 'not the password 42',
        });
        return { status: response.status, body: (await response.text()).replaceAll(email, 'EMAIL') };
      };
      const known = await attempt(alice.email);
      const unknown = await attempt('nobody-here@example.com');
      expect(known.status).toBe(400);
      expect(unknown.status).toBe(known.status);
      expect(unknown.body).toBe(known.body);
    });

    it('answers the registration of a taken email like that of a new one', async () => {
      const browser = server.browser();
      const register = async (email: string) => {
        const page = await (await browser.navigate(`${server.issuer}/register`)).text();
        return browser.post(`${server.issuer}/register`, {
          csrf: csrfOf(page, `${server.issuer}/register`),
          email,
          password: 'a long enough password 42',
        });
      };
      const taken = await register(alice.email);
      const fresh = await register('brand-new@example.com');
      expect(fresh.status).toBe(303);
      expect(taken.status).toBe(fresh.status);
      expect(taken.headers.get('location')).toBe(fresh.headers.get('location'));
      expect(taken.headers.getSetCookie()).toEqual(fresh.headers.getSetCookie());
      expect((await signInAtLoginPage(server, server.browser(), alice)).status).toBe(303);
    });
  });

  describe('failed sign-ins', () => {
    it('are limited per account with 429 and Retry-After, and the limit lifts after its window', async () => {
      const browser = server.browser();
      for (let i = 0; i < 3; i += 1) {
        const response = await signInAtLoginPage(server, browser, { ...carol, password: `wrong password ${i}` });
        expect([400, 429]).toContain(response.status);
      }
      const blocked = await signInAtLoginPage(server, browser, carol);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(cookieValue(blocked, sessionCookie)).toBeUndefined();

      server.clock.advance(901);
      const lifted = await signInAtLoginPage(server, browser, carol);
      expect(lifted.status).toBe(303);
      expect(cookieValue(lifted, sessionCookie)).toBeTruthy();
    });
  });

  describe('passwords at registration', () => {
    const register = async (email: string, password: string) => {
      const browser = server.browser();
      const page = await (await browser.navigate(`${server.issuer}/register`)).text();
      return browser.post(`${server.issuer}/register`, {
        csrf: csrfOf(page, `${server.issuer}/register`),
        email,
        password,
      });
    };

    it.each([
      ['7 characters', 'abc1234'],
      ['a common password', 'password'],
      ['another common password', 'iloveyou123'],
      ['the email address itself', 'weak-choice@example.com'],
      ['2,000 characters', 'x'.repeat(2000)],
    ])('refuses %s', async (_label, password) => {
      const response = await register('weak-choice@example.com', password);
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    });

    it('refuses a 1 MB password promptly, before hashing it', async () => {
      const started = performance.now();
      const response = await register('huge-password@example.com', 'x'.repeat(1024 * 1024));
      expect([400, 413]).toContain(response.status);
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it('accepts a 200-character passphrase and keeps all of it, case included', async () => {
      const account = {
        email: 'passphrase@example.com',
        password: `${'Correct Horse Battery Staple '.repeat(7)}!`.slice(-200),
      };
      expect(account.password).toHaveLength(200);
      expect((await register(account.email, account.password)).status).toBe(303);
      expect((await signInAtLoginPage(server, server.browser(), account)).status).toBe(303);
      const truncated = { ...account, password: account.password.slice(0, 199) };
      expect((await signInAtLoginPage(server, server.browser(), truncated)).status).toBe(400);
      const folded = { ...account, password: account.password.toLowerCase() };
      expect((await signInAtLoginPage(server, server.browser(), folded)).status).toBe(400);
    });
  });

  describe('the session cookie', () => {
    it('is __Host-gh-as-session with HttpOnly, Secure, SameSite=Lax, Path=/ and no Domain', async () => {
      const response = await signInAtLoginPage(server, server.browser());
      const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${sessionCookie}=`));
      expect(line).toBeDefined();
      const attributes = (line as string)
        .split(';')
        .slice(1)
        .map((attribute) => attribute.trim().toLowerCase());
      expect(attributes).toContain('httponly');
      expect(attributes).toContain('secure');
      expect(attributes).toContain('samesite=lax');
      expect(attributes).toContain('path=/');
      expect(attributes.some((attribute) => attribute.startsWith('domain'))).toBe(false);
    });

    it('gets a new value at every sign-in, and the previous value signs nobody in', async () => {
      const browser = server.browser();
      const first = cookieValue(await signInAtLoginPage(server, browser), sessionCookie);
      const second = cookieValue(await signInAtLoginPage(server, browser), sessionCookie);
      // A signed opaque id of at least 256 bits, base64url: `<id>.<mac>`.
      expect(first).toMatch(/^[A-Za-z0-9_-]{43,}\.[A-Za-z0-9_-]+$/);
      expect(second).toMatch(/^[A-Za-z0-9_-]{43,}\.[A-Za-z0-9_-]+$/);
      expect(second).not.toBe(first);
      const withOld = await getRaw(server, `${server.issuer}/profile`, { cookie: `${sessionCookie}=${first}` });
      expect(withOld.status).toBe(303);
      expect(withOld.headers.get('location')).toMatch(/\/login$/);
      const withNew = await getRaw(server, `${server.issuer}/profile`, { cookie: `${sessionCookie}=${second}` });
      expect(withNew.status).toBe(200);
    });

    it('signs nobody in with a tampered value', async () => {
      const value = cookieValue(await signInAtLoginPage(server, server.browser()), sessionCookie) as string;
      const tampered = `${value.slice(0, 5)}${value[5] === 'A' ? 'B' : 'A'}${value.slice(6)}`;
      const response = await getRaw(server, `${server.issuer}/profile`, { cookie: `${sessionCookie}=${tampered}` });
      expect(response.status).toBe(303);
    });
  });
});

describe('failed sign-ins from one address', () => {
  let server: AuthorizationServerUnderTest;

  beforeAll(async () => {
    server = await buildAuthorizationServer({ rateLimits: { loginFailuresPerIp: 3 } });
  });
  afterAll(() => server.close());

  it('are limited per IP address across accounts with 429 and Retry-After, temporarily', async () => {
    const browser = server.browser();
    for (const email of ['one@example.com', 'two@example.com', 'three@example.com']) {
      const response = await signInAtLoginPage(server, browser, { email, password: 'guessing a password 1' });
      expect([400, 429]).toContain(response.status);
    }
    const blocked = await signInAtLoginPage(server, browser, alice);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(cookieValue(blocked, sessionCookie)).toBeUndefined();

    server.clock.advance(901);
    expect((await signInAtLoginPage(server, browser, alice)).status).toBe(303);
  });
});
