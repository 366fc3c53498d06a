import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  confidentialClient,
  demoUser,
  listenAuthorizationServer,
  TestBrowser,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';

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
