import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  confidentialClient,
  csrfOf,
  demoUser,
  listenAuthorizationServer,
  signInAtLoginPage,
  TestBrowser,
  usersWith,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The attacker is another user of the same provider — here on a shared computer, in the same browser
 * the victim used. What one account did on a pending request must never count for the other.
 */

const bob = { email: 'bob@example.com', password: 'bob-password-0123456789abcd', name: 'Bob' };

let server: AuthorizationServerUnderTest;
afterEach(async () => {
  await server?.close();
});

describe('another user of the same provider', () => {
  it("gets no code from an interaction the victim allowed: consent is the signed-in account's own", async () => {
    server = await listenAuthorizationServer({ users: usersWith(bob) });
    const shared = new TestBrowser();
    const start = await shared.navigate(
      authorizationUrl(server.issuer, {
        response_type: 'code',
        client_id: confidentialClient.client_id,
        redirect_uri: webAppRedirect,
        scope: 'openid profile offline_access',
        state: 's',
      }),
    );
    const interactionUrl = new URL(start.headers.get('location') as string, server.issuer).href;
    // The victim signs in on the request and allows it; the redirect back is not followed.
    const login = await shared.follow(interactionUrl, webAppRedirect);
    const consent = await shared.submit(
      login.url,
      await login.response.text(),
      { email: demoUser.email, password: demoUser.password },
      `${server.issuer}/interaction/`,
    );
    const consentPage = await (await shared.navigate(consent.url)).text();
    const allowed = await shared.post(`${interactionUrl}/consent`, {
      csrf: csrfOf(consentPage, interactionUrl),
      decision: 'allow',
    });
    expect(allowed.status).toBe(303);

    // Bob signs in as himself in the same browser, then opens the pending request.
    expect((await signInAtLoginPage(server, shared, bob)).status).toBe(303);
    const opened = await shared.navigate(interactionUrl);
    expect((opened.headers.get('location') ?? '').startsWith(webAppRedirect)).toBe(false);
    // He is asked for his own consent, with his own account named.
    const page = await opened.text();
    expect(page).toContain('name="decision"');
    expect(page).toContain(bob.email);
  });
});
