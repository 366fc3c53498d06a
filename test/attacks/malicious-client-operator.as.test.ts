import {
  type AuthorizationServerUnderTest,
  apiResource,
  authorizationUrl,
  basicAuthorization,
  clientsWith,
  confidentialClient,
  csrfOf,
  demoUser,
  listenAuthorizationServer,
  payloadOf,
  postForm,
  signInAtLoginPage,
  TestBrowser,
  usersWith,
  webAppAuthorization,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The attacker runs a client registered at the provider (`web-app`, with a valid secret) and has an
 * account of their own. They try to get tokens for other users, or for APIs their client was not
 * allowed, without those users ever deciding anything.
 */

const mallory = { email: 'mallory@example.com', password: 'mallory-password-0123456789', name: 'Mallory' };
const payrollApi = 'http://127.0.0.1:5001';

let server: AuthorizationServerUnderTest;
afterEach(async () => {
  await server?.close();
});

/** The operator's own half of the attack: an interaction for their client, signed in and allowed by them. */
async function consentedInteraction(issuer: string, scope: string): Promise<string> {
  const attacker = new TestBrowser();
  const start = await attacker.navigate(
    authorizationUrl(issuer, {
      response_type: 'code',
      client_id: confidentialClient.client_id,
      redirect_uri: webAppRedirect,
      scope,
      state: 'attacker-state',
    }),
  );
  const interactionUrl = new URL(start.headers.get('location') as string, issuer).href;
  const login = await attacker.follow(interactionUrl, webAppRedirect);
  const consent = await attacker.submit(
    login.url,
    await login.response.text(),
    { email: mallory.email, password: mallory.password },
    `${issuer}/interaction/`,
  );
  const consentPage = await attacker.navigate(consent.url);
  expect(await consentPage.clone().text()).toContain('name="decision"');
  // "Allow", and stop: the 303 back to the interaction is not followed.
  const allowed = await attacker.post(`${interactionUrl}/consent`, {
    csrf: csrfOf(await consentPage.text(), interactionUrl),
    decision: 'allow',
  });
  expect(allowed.status).toBe(303);
  return interactionUrl;
}

describe('a malicious client operator', () => {
  it('cannot hand an interaction they consented on to a signed-in victim and get the victim a code', async () => {
    server = await listenAuthorizationServer({ users: usersWith(mallory) });
    const interactionUrl = await consentedInteraction(server.issuer, 'openid profile offline_access');

    const victim = new TestBrowser();
    expect((await signInAtLoginPage(server, victim)).status).toBe(303);
    const opened = await victim.navigate(interactionUrl);
    const location = opened.headers.get('location') ?? '';
    expect(location.startsWith(webAppRedirect)).toBe(false);
    expect(opened.status).toBe(403);
  });

  it('gets no code for the victim even when the victim signs in on the handed-over interaction', async () => {
    server = await listenAuthorizationServer({ users: usersWith(mallory) });
    const interactionUrl = await consentedInteraction(server.issuer, 'openid profile offline_access');

    const victim = new TestBrowser();
    const page = await victim.navigate(interactionUrl);
    // A sign-in form posted with the interaction id anyway must not bind the victim to it.
    const loginPage = await victim.navigate(`${server.issuer}/login`);
    const csrf = csrfOf(await loginPage.text(), `${server.issuer}/login`);
    const id = interactionUrl.split('/').pop() as string;
    const posted = await victim.post(`${server.issuer}/login`, {
      csrf,
      interaction: id,
      email: demoUser.email,
      password: demoUser.password,
    });
    const after = await victim.navigate(interactionUrl);
    expect((after.headers.get('location') ?? '').startsWith(webAppRedirect)).toBe(false);
    expect(page.status).toBe(403);
    expect(posted.status).toBe(403);
    // Nor do the sign-in and registration pages carry the handed-over id into their forms.
    for (const url of [`${server.issuer}/login?interaction=${id}`, `${server.issuer}/register?interaction=${id}`]) {
      expect(await (await victim.navigate(url)).text()).not.toContain(id);
    }
  });

  it("cannot satisfy the victim's consent with their own: the victim is asked, in their own interaction", async () => {
    server = await listenAuthorizationServer({ users: usersWith(mallory) });
    // Mallory's consent for web-app with offline_access is now stored, for Mallory.
    await consentedInteraction(server.issuer, 'openid profile offline_access');
    const victim = new TestBrowser();
    expect((await signInAtLoginPage(server, victim)).status).toBe(303);
    const step = await victim.follow(
      authorizationUrl(server.issuer, {
        response_type: 'code',
        client_id: confidentialClient.client_id,
        redirect_uri: webAppRedirect,
        scope: 'openid profile offline_access',
        state: 's',
      }),
      webAppRedirect,
    );
    expect(step.url.startsWith(webAppRedirect)).toBe(false);
    expect(await step.response.text()).toContain('name="decision"');
  });

  it('cannot get tokens for an API their client was not allowed, at /authorize, client_credentials or exchange', async () => {
    server = await listenAuthorizationServer({
      resources: [apiResource, payrollApi],
      clients: clientsWith({
        client_id: 'payroll-app',
        client_secret: 'payroll-app-secret-0123456789abcdefgh',
        redirect_uris: ['http://127.0.0.1:9998/callback'],
        grant_types: ['authorization_code', 'client_credentials'],
        scope: 'openid api',
        resources: [payrollApi],
      }),
    });
    const authorize = await fetch(
      authorizationUrl(server.issuer, {
        response_type: 'code',
        client_id: confidentialClient.client_id,
        redirect_uri: webAppRedirect,
        scope: 'openid',
        state: 's',
        resource: payrollApi,
      }),
      { redirect: 'manual' },
    );
    const back = new URL(authorize.headers.get('location') as string);
    expect(back.href.startsWith(webAppRedirect)).toBe(true);
    expect(back.searchParams.get('error')).toBe('invalid_target');

    const credentials = await postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials', resource: payrollApi },
      { authorization: webAppAuthorization },
    );
    expect(credentials.status).toBe(400);
    expect(((await credentials.json()) as { error: string }).error).toBe('invalid_target');

    // The client allowed the payroll API gets it; the default API stays open to every client.
    const allowed = await postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials', resource: payrollApi },
      { authorization: basicAuthorization('payroll-app', 'payroll-app-secret-0123456789abcdefgh') },
    );
    expect(allowed.status).toBe(200);
    expect(payloadOf(((await allowed.json()) as { access_token: string }).access_token).aud).toBe(payrollApi);
    const defaultApi = await postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials', resource: apiResource },
      { authorization: webAppAuthorization },
    );
    expect(defaultApi.status).toBe(200);
  });

  it('cannot register a client for an API the provider does not serve', async () => {
    await expect(
      listenAuthorizationServer({
        clients: clientsWith({
          client_id: 'stray',
          client_secret: 'stray-client-secret-0123456789abcdefgh',
          grant_types: ['client_credentials'],
          resources: ['http://127.0.0.1:5999'],
        }),
      }),
    ).rejects.toThrow(/resources/);
  });
});
