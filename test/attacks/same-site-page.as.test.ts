import {
  type AuthorizationServerUnderTest,
  csrfOf,
  demoUser,
  listenAuthorizationServer,
  signInAtLoginPage,
  TestBrowser,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The attacker controls a page on another origin — a sibling of the provider (same site) or any other
 * site — and makes the victim's browser post the provider's forms. The CSRF token is the first
 * defence; this suite assumes the attacker got hold of one that matches the victim's cookie, and
 * checks the second: a form post that the browser says came from another origin changes nothing.
 */

let server: AuthorizationServerUnderTest;
beforeAll(async () => {
  server = await listenAuthorizationServer();
});
afterAll(() => server.close());

/** A signed-in victim's browser and a valid form token for it, as if it had leaked. */
async function victimWithToken() {
  const victim = new TestBrowser();
  expect((await signInAtLoginPage(server, victim)).status).toBe(303);
  const profile = await victim.navigate(`${server.issuer}/profile`);
  return { victim, csrf: csrfOf(await profile.text(), `${server.issuer}/profile`) };
}

function postFrom(browser: TestBrowser, url: string, fields: Record<string, string>, headers: Record<string, string>) {
  const jar = browser.cookieHeader(new URL(url).origin) ?? '';
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar, ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

const foreignSenders: [string, Record<string, string>][] = [
  ['a sibling origin (same site)', { origin: 'http://sibling.127.0.0.1.nip.io', 'sec-fetch-site': 'same-site' }],
  ['a cross-site page', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
  ['a cross-site page that hides its Origin', { 'sec-fetch-site': 'cross-site' }],
  ['a page on another port of the same host', { origin: 'http://127.0.0.1:1' }],
];

describe('a page on another origin', () => {
  for (const [who, headers] of foreignSenders) {
    it(`cannot change the victim's name through the profile form from ${who}`, async () => {
      const { victim, csrf } = await victimWithToken();
      const response = await postFrom(victim, `${server.issuer}/profile/name`, { csrf, name: 'Pwned' }, headers);
      expect(response.status).toBe(403);
      const profile = await (await victim.navigate(`${server.issuer}/profile`)).text();
      expect(profile).not.toContain('Pwned');
    });

    it(`cannot sign the victim out, or into the attacker's account, from ${who}`, async () => {
      const { victim, csrf } = await victimWithToken();
      const logout = await postFrom(victim, `${server.issuer}/profile/logout`, { csrf }, headers);
      expect(logout.status).toBe(403);
      const login = await postFrom(
        victim,
        `${server.issuer}/login`,
        { csrf, email: demoUser.email, password: demoUser.password },
        headers,
      );
      expect(login.status).toBe(403);
      expect((await victim.navigate(`${server.issuer}/profile`)).status).toBe(200);
    });
  }

  it("still lets the provider's own pages post, which send Origin: null under Referrer-Policy: no-referrer", async () => {
    const { victim, csrf } = await victimWithToken();
    const response = await postFrom(
      victim,
      `${server.issuer}/profile/name`,
      { csrf, name: 'Alice Again' },
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    );
    expect(response.status).toBe(303);
    const own = await postFrom(
      victim,
      `${server.issuer}/profile/name`,
      { csrf, name: 'Alice' },
      { origin: new URL(server.issuer).origin, 'sec-fetch-site': 'same-origin' },
    );
    expect(own.status).toBe(303);
  });
});
