import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  confidentialClient,
  csrfOf,
  demoUser,
  listenAuthorizationServer,
  sessionCookie,
  signInAtLoginPage,
  TestBrowser,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';

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
