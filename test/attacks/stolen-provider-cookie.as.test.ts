import { openRedisStore } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  confidentialClient,
  csrfOf,
  demoUser,
  introspect,
  listenAuthorizationServer,
  obtainTokens,
  parseForm,
  redisUrl,
  refreshRequest,
  requireService,
  runScopedName,
  sessionCookie,
  signInAtLoginPage,
  TestBrowser,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { type AsWithUpstreams, linkFromProfile, signedInThrough, startAsWithUpstreams } from './as-with-upstreams.js';

/**
 * The attacker holds a copy of the victim's provider-session cookie (but not the password). A client
 * that asks for `prompt=login` or `max_age` wants proof that the user is at the keyboard now; the cookie
 * holder tries to have that proof made by somebody else's sign-in.
 */

let server: AuthorizationServerUnderTest;
afterEach(async () => {
  await server?.close();
});

/** A browser holding a copy of `victim`'s provider-session cookie, and nothing else. */
function cookieThief(victim: TestBrowser, issuer: string): TestBrowser {
  const stolen = victim.cookie(sessionCookie, issuer);
  if (!stolen) throw new Error('the victim has no session cookie');
  const thief = new TestBrowser();
  thief.setCookie(sessionCookie, stolen, { origin: issuer });
  return thief;
}

async function startReauthentication(thief: TestBrowser, issuer: string, extra: Record<string, string>) {
  const start = await thief.navigate(
    authorizationUrl(issuer, {
      response_type: 'code',
      client_id: confidentialClient.client_id,
      redirect_uri: webAppRedirect,
      scope: 'openid',
      state: 's',
      ...extra,
    }),
  );
  expect(start.status).toBe(303);
  return new URL(start.headers.get('location') as string, issuer).href;
}

describe('the holder of a stolen provider-session cookie', () => {
  for (const [name, extra] of [
    ['prompt=login', { prompt: 'login' }],
    ['max_age=0', { max_age: '0' }],
  ] as const) {
    it(`cannot have ${name} met by a sign-in made in another browser`, async () => {
      server = await listenAuthorizationServer();
      const victim = new TestBrowser();
      expect((await signInAtLoginPage(server, victim)).status).toBe(303);
      const thief = cookieThief(victim, server.issuer);
      const interactionUrl = await startReauthentication(thief, server.issuer, extra);

      // An accomplice (or the tricked victim) opens the link and signs in with the password.
      const accomplice = new TestBrowser();
      const page = await accomplice.navigate(interactionUrl);
      const loginPage = await accomplice.navigate(`${server.issuer}/login`);
      const posted = await accomplice.post(`${server.issuer}/login`, {
        csrf: csrfOf(await loginPage.text(), `${server.issuer}/login`),
        interaction: interactionUrl.split('/').pop() as string,
        email: demoUser.email,
        password: demoUser.password,
      });

      // Back in the thief's browser: still a login page, never a code.
      const after = await thief.follow(interactionUrl, webAppRedirect);
      expect(after.url.startsWith(webAppRedirect)).toBe(false);
      expect(await after.response.text()).toContain('name="password"');
      // The interaction was never the accomplice's to see or to sign in on.
      expect(page.status).toBe(403);
      expect(posted.status).toBe(403);
    });
  }

  it('cannot reuse the victim’s earlier sign-in on a new interaction: only one made on this interaction counts', async () => {
    server = await listenAuthorizationServer();
    const victim = new TestBrowser();
    expect((await signInAtLoginPage(server, victim)).status).toBe(303);
    const thief = cookieThief(victim, server.issuer);
    const interactionUrl = await startReauthentication(thief, server.issuer, { prompt: 'login' });
    // The victim, in their own browser, signs in again for their own reasons (a new session there).
    expect((await signInAtLoginPage(server, victim)).status).toBe(303);
    const after = await thief.follow(interactionUrl, webAppRedirect);
    expect(after.url.startsWith(webAppRedirect)).toBe(false);
  });

  it('gets the password form, and a code only after typing the password on this interaction', async () => {
    server = await listenAuthorizationServer();
    const victim = new TestBrowser();
    expect((await signInAtLoginPage(server, victim)).status).toBe(303);
    const interactionUrl = await startReauthentication(victim, server.issuer, { prompt: 'login' });
    const login = await victim.follow(interactionUrl, webAppRedirect);
    const consent = await victim.submit(
      login.url,
      await login.response.text(),
      { email: demoUser.email, password: demoUser.password },
      webAppRedirect,
    );
    const page = await consent.response.text();
    const done = page.includes('name="decision"')
      ? await victim.submit(consent.url, page, { decision: 'allow' }, webAppRedirect)
      : consent;
    expect(done.url.startsWith(webAppRedirect)).toBe(true);
    expect(new URL(done.url).searchParams.get('code')).toBeTruthy();
  });
});

describe('the holder of a stolen provider-session cookie, at the profile page', () => {
  let federation: AsWithUpstreams | undefined;
  afterEach(async () => {
    await federation?.close();
    federation = undefined;
  });

  /** The profile page's CSRF token for `browser` (which gets the CSRF cookie with it). */
  async function profileCsrf(browser: TestBrowser, issuer: string): Promise<string> {
    return csrfOf(await (await browser.navigate(`${issuer}/profile`)).text(), `${issuer}/profile`);
  }

  it('cannot guess the password through the password-change form faster than through the sign-in form', async () => {
    server = await listenAuthorizationServer();
    const victim = new TestBrowser();
    expect((await signInAtLoginPage(server, victim)).status).toBe(303);
    const thief = cookieThief(victim, server.issuer);
    const csrf = await profileCsrf(thief, server.issuer);
    // /login answers 429 with Retry-After once an account has 5 failures from one source
    // (rateLimits.loginFailuresPerAccount); the password form checks the same password.
    const statuses: number[] = [];
    for (let guess = 0; guess < 12; guess += 1) {
      const answer = await thief.post(`${server.issuer}/profile/password`, {
        csrf,
        current_password: `guess number ${guess}`,
        new_password: 'the thief now owns this account 42',
      });
      statuses.push(answer.status);
      if (answer.status === 429) {
        expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
        break;
      }
    }
    expect(statuses, `answers to 12 wrong current passwords: ${statuses.join(',')}`).toContain(429);
  });

  it('is signed out, and every token it got is revoked, when the victim changes the password elsewhere', async () => {
    server = await listenAuthorizationServer();
    // The victim's laptop session is the one stolen; the victim later uses a second device.
    const laptop = new TestBrowser();
    expect((await signInAtLoginPage(server, laptop)).status).toBe(303);
    const thief = cookieThief(laptop, server.issuer);
    const stolenTokens = await obtainTokens(server, { browser: thief });
    expect(stolenTokens.refresh_token).toBeTruthy();

    const phone = new TestBrowser();
    expect((await signInAtLoginPage(server, phone)).status).toBe(303);
    const changed = await phone.post(`${server.issuer}/profile/password`, {
      csrf: await profileCsrf(phone, server.issuer),
      current_password: demoUser.password,
      new_password: 'a completely new passphrase 2027',
    });
    expect(changed.status).toBe(303);
    expect(changed.headers.get('location')).toContain('notice=password');

    // The stolen session signs nobody in any more; the device that changed the password still is.
    const thiefProfile = await thief.navigate(`${server.issuer}/profile`);
    expect(thiefProfile.status).toBe(303);
    expect(thiefProfile.headers.get('location')).toMatch(/\/login$/);
    expect((await phone.navigate(`${server.issuer}/profile`)).status).toBe(200);
    // Nor does it get a code without the new password.
    const again = await thief.follow(
      authorizationUrl(server.issuer, {
        response_type: 'code',
        client_id: confidentialClient.client_id,
        redirect_uri: webAppRedirect,
        scope: 'openid',
        state: 's',
      }),
      webAppRedirect,
    );
    expect(again.url.startsWith(webAppRedirect)).toBe(false);
    // Tokens obtained with the stolen session are dead.
    const refreshed = await refreshRequest(server, 'web-app', stolenTokens.refresh_token as string);
    expect(refreshed.status).toBe(400);
    expect(((await refreshed.json()) as { error: string }).error).toBe('invalid_grant');
    expect(await (await introspect(server, stolenTokens.access_token)).json()).toEqual({ active: false });
  });

  it('cannot leave a password-less account with no way in by unlinking its two upstreams at once', async () => {
    if (!(await requireService('Redis', redisUrl))) return;
    // A store with real round trips, as in production, where a read-then-write can interleave.
    const store = await openRedisStore(redisUrl, { keyPrefix: `${runScopedName('attack')}:` });
    try {
      federation = await startAsWithUpstreams({ store });
      const { issuer } = federation;
      // The victim's account came from an upstream sign-in (no password) and has a second upstream linked.
      const victim = await signedInThrough(issuer, 'corp', 'victim-at-corp');
      expect(await linkFromProfile(victim, issuer, 'corp2', 'victim-at-corp2')).toBe('/profile?notice=linked');
      expect(linkedUpstreams(await (await victim.navigate(`${issuer}/profile`)).text(), issuer)).toEqual([
        'corp',
        'corp2',
      ]);

      const thief = cookieThief(victim, issuer);
      const csrf = await profileCsrf(thief, issuer);
      const answers = await Promise.all(
        ['corp', 'corp2', 'corp', 'corp2'].map((upstream) =>
          thief.post(`${issuer}/profile/unlink`, { csrf, upstream }),
        ),
      );
      const notices = answers.map((answer) => answer.headers.get('location'));
      // One way in always stays: the account is never left that nobody can enter.
      const left = linkedUpstreams(await (await victim.navigate(`${issuer}/profile`)).text(), issuer);
      expect(left, `notices: ${notices.join(', ')}`).toHaveLength(1);
    } finally {
      await federation?.close();
      federation = undefined;
      await store.close();
    }
  });
});

/** The upstreams the profile page offers to unlink: the account's links. */
function linkedUpstreams(profilePage: string, issuer: string): string[] {
  const linked: string[] = [];
  for (const match of profilePage.matchAll(/<form[\s\S]*?<\/form>/gi)) {
    const form = parseForm(match[0], `${issuer}/profile`);
    if (form.action.endsWith('/profile/unlink') && form.fields.upstream) linked.push(form.fields.upstream);
  }
  return linked.sort();
}
