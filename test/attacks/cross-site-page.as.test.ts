import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  confidentialClient,
  demoUser,
  listenAuthorizationServer,
  signInAtLoginPage,
  TestBrowser,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AsWithUpstreams,
  signedInThrough,
  startAsWithUpstreams,
  upstreamCallbackFor,
} from './as-with-upstreams.js';

/**
 * The attacker's page is on another site, open in the victim's browser. It can navigate the browser
 * anywhere and auto-submit forms, but its requests carry none of the provider's SameSite cookies
 * (Lax ones only on top-level GETs).
 */

const bindingCookie = '__Host-gh-as-interaction';
const request = {
  response_type: 'code',
  client_id: confidentialClient.client_id,
  redirect_uri: webAppRedirect,
  scope: 'openid',
};

let server: AuthorizationServerUnderTest;
afterEach(async () => {
  await server?.close();
});

/** A top-level form POST from another site: no Lax cookies go out, but the browser keeps any Set-Cookie. */
async function crossSiteFormPost(browser: TestBrowser, url: string, fields: Record<string, string>) {
  return browser.post(url, fields, { from: 'https://evil.example' });
}

describe('a cross-site page', () => {
  it("cannot break the victim's pending sign-in by auto-submitting a POST /authorize", async () => {
    server = await listenAuthorizationServer();
    const victim = new TestBrowser();
    const start = await victim.navigate(authorizationUrl(server.issuer, { ...request, state: 'victim-state' }));
    const interactionUrl = new URL(start.headers.get('location') as string, server.issuer).href;
    const loginPage = await (await victim.navigate(interactionUrl)).text();

    const crossSite = await crossSiteFormPost(victim, `${server.issuer}/authorize`, request);

    // The victim types the password on the page they had open, and gets back to the app.
    const signIn = await victim.submit(interactionUrl, loginPage, demoUser, webAppRedirect);
    const page = signIn.url.startsWith(webAppRedirect)
      ? signIn
      : await victim.submit(signIn.url, await signIn.response.text(), { decision: 'allow' }, webAppRedirect);
    expect(page.url.startsWith(webAppRedirect)).toBe(true);
    expect(new URL(page.url).searchParams.get('state')).toBe('victim-state');
    // The POST, which carried no cookie, set no binding of its own.
    expect(crossSite.headers.getSetCookie().some((line) => line.startsWith(`${bindingCookie}=`))).toBe(false);
  });

  it('still gets a cross-site POST /authorize answered, as a GET that carries the browser’s cookies', async () => {
    server = await listenAuthorizationServer();
    const browser = new TestBrowser();
    const answer = await crossSiteFormPost(browser, `${server.issuer}/authorize`, { ...request, state: 'posted' });
    expect(answer.status).toBe(303);
    const bounced = new URL(answer.headers.get('location') as string, server.issuer);
    expect(bounced.pathname).toBe('/authorize');
    expect(Object.fromEntries(bounced.searchParams)).toEqual({ ...request, state: 'posted' });
    const done = await browser.authorize(bounced.href, webAppRedirect);
    expect(done.searchParams.get('state')).toBe('posted');
  });
});

describe('a cross-site page, at the upstream sign-in', () => {
  let federation: AsWithUpstreams | undefined;
  afterEach(async () => {
    await federation?.close();
    federation = undefined;
  });

  it("cannot link the attacker's upstream account to the victim's by sending the victim to the attacker's callback", async () => {
    federation = await startAsWithUpstreams();
    const { issuer, as } = federation;
    // The victim is signed in with a password and has a link to `corp` of their own under way.
    const victim = new TestBrowser();
    expect((await signInAtLoginPage(as, victim)).status).toBe(303);
    const victimsCallback = await upstreamCallbackFor(victim, issuer, '/profile', 'corp', 'victim-at-corp');

    // The attacker, signed in to an account of their own, starts linking `corp` and signs in there
    // as themselves, but keeps the callback URL (code and state) instead of following it.
    const attacker = await signedInThrough(issuer, 'corp2', 'mallory');
    const attackersCallback = await upstreamCallbackFor(attacker, issuer, '/profile', 'corp', 'mallory-at-corp');

    // Their page sends the victim's browser there: a top-level GET, so the Lax cookies go along.
    const planted = await victim.navigate(attackersCallback, { from: 'https://evil.example' });
    expect(planted.status).toBe(400);
    expect(await planted.text()).toContain('could not be matched');
    const profile = await (await victim.navigate(`${issuer}/profile`)).text();
    expect(profile).not.toMatch(/name="upstream" value="corp"/);

    // The victim's own link still completes: the planted callback did not end their flow.
    expect((await victim.navigate(victimsCallback)).headers.get('location')).toBe('/profile?notice=linked');
    expect(await (await victim.navigate(`${issuer}/profile`)).text()).toMatch(/name="upstream" value="corp"/);
    // Signing in through `corp` as the attacker never reaches the victim's account; as the victim, it does.
    const asAttacker = await signedInThrough(issuer, 'corp', 'mallory-at-corp');
    expect(await (await asAttacker.navigate(`${issuer}/profile`)).text()).not.toContain(demoUser.email);
    const asVictim = await signedInThrough(issuer, 'corp', 'victim-at-corp');
    expect(await (await asVictim.navigate(`${issuer}/profile`)).text()).toContain(demoUser.email);
  });
});
