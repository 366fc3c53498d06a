import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  buildAuthorizationServer,
  clientsWith,
  errorDescriptionCharset,
  getRaw,
  headerOf,
  obtainCode,
  obtainTokens,
  payloadOf,
  pkcePair,
  redeemCode,
  signInAtLoginPage,
  spaRedirect,
  type TestBrowser,
  usersWith,
  webAppRedirect,
} from '@gatehouse/test-kit';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/views/html.js';

// SECURITY.md §2: the authorization endpoint, attacked through the harness (inject(): the answers, not the socket).

const multiClient = {
  client_id: 'multi',
  client_secret: 'multi-secret-0123456789abcdefghijklmn',
  redirect_uris: ['https://app.example.com/cb', 'http://127.0.0.1:9999/multi?tenant=a'],
  grant_types: ['authorization_code'],
  scope: 'openid profile',
  client_name: 'Multi',
};
const bob = { email: 'bob@example.com', password: 'bob has a long password 42', name: 'Bob' };
const erin = { email: 'erin@example.com', password: 'erin has a long password 42', name: 'Erin' };

describe('authorization endpoint', () => {
  let server: AuthorizationServerUnderTest;
  const authorize = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    getRaw(server, authorizationUrl(server.issuer, params), headers);
  const webApp = (params: Record<string, string> = {}) => ({
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: webAppRedirect,
    scope: 'openid',
    ...params,
  });
  const spa = (params: Record<string, string> = {}) => ({
    response_type: 'code',
    client_id: 'spa',
    redirect_uri: spaRedirect,
    scope: 'openid',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    ...params,
  });

  beforeAll(async () => {
    server = await buildAuthorizationServer({ clients: clientsWith(multiClient), users: usersWith(bob, erin) });
  });
  afterAll(() => server.close());

  /** A page that names the problem and sends the browser nowhere, with no trace of the offered URI. */
  async function expectErrorPage(response: Response, offered?: string) {
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('location')).toBeNull();
    const body = await response.text();
    if (offered !== undefined) {
      expect(body).not.toContain(offered);
      expect(body).not.toContain(escapeHtml(offered));
      expect(body).not.toContain(encodeURIComponent(offered));
    }
    expect(body).not.toMatch(/<a\s/i);
  }

  /** An error sent back to the registered redirect URI; returns its parameters. */
  function expectErrorRedirect(response: Response, redirectUri: string): URLSearchParams {
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.hash).toBe('');
    expect(location.searchParams.get('code')).toBeNull();
    expect(location.searchParams.get('iss')).toBe(server.issuer);
    expect(location.searchParams.get('error_description') ?? '').toMatch(errorDescriptionCharset);
    return location.searchParams;
  }

  describe('before client and redirect URI are known good, errors are pages, never redirects', () => {
    it('refuses an unknown client_id without sending the browser to its redirect_uri', async () => {
      const offered = 'https://attacker.example/steal';
      await expectErrorPage(await authorize(webApp({ client_id: 'not-registered', redirect_uri: offered })), offered);
    });

    it('refuses a request that names no client_id', async () => {
      const { client_id: _omitted, ...params } = webApp();
      await expectErrorPage(await authorize(params));
    });

    it('refuses a missing redirect_uri when the client registered several', async () => {
      await expectErrorPage(await authorize({ response_type: 'code', client_id: 'multi', scope: 'profile' }));
    });

    it('refuses a missing redirect_uri in an OpenID request, which requires it', async () => {
      await expectErrorPage(await authorize({ response_type: 'code', client_id: 'web-app', scope: 'openid' }));
    });

    it('refuses a repeated redirect_uri, even when both copies are registered', async () => {
      const query = `${new URLSearchParams(webApp())}&redirect_uri=${encodeURIComponent(webAppRedirect)}`;
      await expectErrorPage(await getRaw(server, `${server.issuer}/authorize?${query}`), webAppRedirect);
    });

    it('refuses a repeated client_id', async () => {
      const query = `${new URLSearchParams(webApp())}&client_id=multi`;
      await expectErrorPage(await getRaw(server, `${server.issuer}/authorize?${query}`), webAppRedirect);
    });

    // RFC 9700 §4.1.3: exact string comparison, no normalisation.
    it.each([
      ['a trailing slash', 'web-app', 'http://127.0.0.1:9999/callback/'],
      ['a change of case in the path', 'web-app', 'http://127.0.0.1:9999/Callback'],
      ['a change of case in the scheme', 'web-app', 'HTTP://127.0.0.1:9999/callback'],
      ['an added query', 'web-app', 'http://127.0.0.1:9999/callback?next=https://attacker.example'],
      ['an empty query', 'web-app', 'http://127.0.0.1:9999/callback?'],
      ['a fragment', 'web-app', 'http://127.0.0.1:9999/callback#x'],
      ['a percent-encoded twin', 'web-app', 'http://127.0.0.1:9999/%63allback'],
      ['a dot segment', 'web-app', 'http://127.0.0.1:9999/x/../callback'],
      ['userinfo', 'web-app', 'http://attacker.example@127.0.0.1:9999/callback'],
      ['another port', 'web-app', 'http://127.0.0.1:9998/callback'],
      ['the explicit default port', 'multi', 'https://app.example.com:443/cb'],
      ['a trailing dot in the host', 'multi', 'https://app.example.com./cb'],
      ['a change of case in the host', 'multi', 'https://APP.example.com/cb'],
      ['the registered query changed', 'multi', 'http://127.0.0.1:9999/multi?tenant=b'],
      ['the registered query dropped', 'multi', 'http://127.0.0.1:9999/multi'],
    ])('refuses a redirect_uri with %s', async (_label, clientId, offered) => {
      const response = await authorize({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: offered,
        scope: 'openid',
      });
      await expectErrorPage(response, offered);
    });

    it('keeps the query of a registered redirect URI and appends the response parameters to it', async () => {
      const registered = 'http://127.0.0.1:9999/multi?tenant=a';
      const response = await authorize({
        response_type: 'code',
        client_id: 'multi',
        redirect_uri: registered,
        scope: 'openid',
        prompt: 'none',
      });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location') as string);
      expect(location.href.startsWith(`${registered}&`)).toBe(true);
      expect(location.searchParams.get('tenant')).toBe('a');
      expect(location.searchParams.get('error')).toBe('login_required');
      expect(location.searchParams.get('iss')).toBe(server.issuer);
    });
  });

  describe('after them, errors go back with only error, error_description, state and iss', () => {
    const hostileState = 'a b&c=d?e#f/g+h%41 ü 😀 \'"<>';

    it('echoes state byte for byte, with iss, and nothing else', async () => {
      const response = await authorize(webApp({ response_type: 'token', state: hostileState }));
      const params = expectErrorRedirect(response, webAppRedirect);
      expect([...params.keys()].sort()).toEqual(['error', 'error_description', 'iss', 'state']);
      expect(params.get('error')).toBe('unsupported_response_type');
      expect(params.get('state')).toBe(hostileState);
    });

    it('returns no state when none was sent', async () => {
      const params = expectErrorRedirect(await authorize(webApp({ prompt: 'none' })), webAppRedirect);
      expect(params.get('error')).toBe('login_required');
      expect(params.has('state')).toBe(false);
    });

    it('treats an empty state as absent', async () => {
      const params = expectErrorRedirect(await authorize(webApp({ prompt: 'none', state: '' })), webAppRedirect);
      expect(params.has('state')).toBe(false);
    });

    it('echoes state byte for byte, with iss, on a successful response too', async () => {
      const { callback } = await obtainCode(server, { params: { state: hostileState, scope: 'openid' } });
      expect([...callback.searchParams.keys()].sort()).toEqual(['code', 'iss', 'state']);
      expect(callback.searchParams.get('state')).toBe(hostileState);
      expect(callback.searchParams.get('iss')).toBe(server.issuer);
    });

    it('sends no state on a successful response when none was sent', async () => {
      const { callback } = await obtainCode(server, { params: { state: '', scope: 'openid' } });
      expect(callback.searchParams.has('state')).toBe(false);
      expect(callback.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    });

    it.each(['token', 'id_token', 'id_token token', 'code id_token', 'code token'])(
      'never returns tokens for response_type=%s, a type no client registered',
      async (responseType) => {
        const response = await authorize(webApp({ response_type: responseType, nonce: 'n-1', state: 's' }));
        const params = expectErrorRedirect(response, webAppRedirect);
        expect(params.get('error')).toBe('unsupported_response_type');
        const location = response.headers.get('location') as string;
        expect(location).not.toMatch(/access_token|id_token=/);
      },
    );
  });

  describe('PKCE', () => {
    const valid = pkcePair().challenge;
    it.each([
      ['no code_challenge', { code_challenge: '', code_challenge_method: '' }],
      ['method plain', { code_challenge_method: 'plain' }],
      ['a challenge without a method', { code_challenge_method: '' }],
      ['an unknown method', { code_challenge_method: 'S512' }],
      ['a method in another case', { code_challenge_method: 's256' }],
      ['a 42-character challenge', { code_challenge: valid.slice(0, 42) }],
      ['a 129-character challenge', { code_challenge: 'a'.repeat(129) }],
      ['a challenge with characters outside the unreserved set', { code_challenge: `${'a'.repeat(40)}+/=` }],
    ])('refuses a public client sending %s', async (_label, change) => {
      const params = expectErrorRedirect(await authorize(spa({ state: 'st', ...change })), spaRedirect);
      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('state')).toBe('st');
    });

    it('enforces the method of a challenge a confidential client chose to send', async () => {
      const response = await authorize(webApp({ code_challenge: valid, code_challenge_method: 'plain' }));
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('invalid_request');
    });
  });

  describe('scope, resource and request objects', () => {
    it('refuses a scope the client did not register with invalid_scope', async () => {
      const response = await authorize(spa({ scope: 'openid email' }));
      expect(expectErrorRedirect(response, spaRedirect).get('error')).toBe('invalid_scope');
    });

    it('refuses an unknown scope with invalid_scope', async () => {
      const response = await authorize(webApp({ scope: 'openid admin' }));
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('invalid_scope');
    });

    it.each([
      ['an API this provider does not serve', 'https://attacker.example/api'],
      ['a relative URI', '/api'],
      ['a URI with a fragment', 'http://127.0.0.1:5000#frag'],
    ])('refuses a resource that is %s with invalid_target', async (_label, resource) => {
      const response = await authorize(webApp({ resource }));
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('invalid_target');
    });

    it('refuses a request object with request_not_supported', async () => {
      const response = await authorize(webApp({ request: 'eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9.' }));
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('request_not_supported');
    });

    it('refuses request_uri with request_uri_not_supported', async () => {
      const response = await authorize(webApp({ request_uri: 'https://attacker.example/request.jwt' }));
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('request_uri_not_supported');
    });

    it('says in discovery that request objects are not supported', async () => {
      const discovery = (await (
        await server.fetch(`${server.issuer}/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
      expect(discovery.request_parameter_supported).toBe(false);
      expect(discovery.request_uri_parameter_supported).toBe(false);
    });
  });

  describe('prompt and id_token_hint', () => {
    let alice: TestBrowser;
    let aliceIdToken: string;
    let bobIdToken: string;

    beforeAll(async () => {
      const tokens = await obtainTokens(server, { scope: 'openid' });
      alice = tokens.issued.browser;
      aliceIdToken = tokens.id_token as string;
      bobIdToken = (await obtainTokens(server, { scope: 'openid', user: bob })).id_token as string;
    });

    it('answers prompt=none without a session with login_required and no HTML', async () => {
      const response = await authorize(webApp({ prompt: 'none', state: 's' }));
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('login_required');
      expect(response.headers.get('content-type') ?? '').not.toMatch(/html/);
      expect(await response.text()).toBe('');
    });

    it('answers prompt=none without consent with consent_required and no HTML', async () => {
      const browser = server.browser();
      expect((await signInAtLoginPage(server, browser, erin)).status).toBe(303);
      const response = await browser.navigate(
        authorizationUrl(server.issuer, webApp({ prompt: 'none', scope: 'openid email' })),
      );
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('consent_required');
      expect(await response.text()).toBe('');
    });

    it('still yields a code for prompt=none with a session and consent (the tests above could fail)', async () => {
      const response = await alice.navigate(authorizationUrl(server.issuer, webApp({ prompt: 'none' })));
      expect(response.status).toBe(303);
      expect(new URL(response.headers.get('location') as string).searchParams.get('code')).toBeTruthy();
    });

    it('refuses prompt=none combined with login with invalid_request', async () => {
      const response = await alice.navigate(authorizationUrl(server.issuer, webApp({ prompt: 'none login' })));
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('invalid_request');
    });

    it.each(['select_account', 'create', 'something_else'])(
      'refuses prompt=%s explicitly instead of treating it as none',
      async (prompt) => {
        const response = await alice.navigate(authorizationUrl(server.issuer, webApp({ prompt })));
        expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('invalid_request');
      },
    );

    it('refuses an id_token_hint signed by someone else, even one naming the signed-in user and our kid', async () => {
      const jwks = (await (await server.fetch(`${server.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
      const kid = headerOf(aliceIdToken).kid as string;
      expect(jwks.keys.map((key) => key.kid)).toContain(kid);
      const { privateKey } = await generateKeyPair('RS256');
      const claims = payloadOf(aliceIdToken);
      const forged = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .sign(privateKey);
      const response = await alice.navigate(
        authorizationUrl(server.issuer, webApp({ prompt: 'none', id_token_hint: forged })),
      );
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('invalid_request');
    });

    it('refuses an id_token_hint whose signature was tampered with', async () => {
      const [header, payload, signature] = aliceIdToken.split('.') as [string, string, string];
      const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      const response = await alice.navigate(
        authorizationUrl(server.issuer, webApp({ prompt: 'none', id_token_hint: flipped })),
      );
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('invalid_request');
    });

    it('refuses an id_token_hint issued to another client', async () => {
      const response = await alice.navigate(
        authorizationUrl(server.issuer, spa({ prompt: 'none', id_token_hint: aliceIdToken })),
      );
      expect(expectErrorRedirect(response, spaRedirect).get('error')).toBe('invalid_request');
    });

    it('never issues a code for the session user when id_token_hint names another user', async () => {
      const response = await alice.navigate(
        authorizationUrl(server.issuer, webApp({ prompt: 'none', id_token_hint: bobIdToken })),
      );
      expect(expectErrorRedirect(response, webAppRedirect).get('error')).toBe('login_required');
    });

    it('accepts an id_token_hint for the signed-in user (so the refusals above are about the hint)', async () => {
      const response = await alice.navigate(
        authorizationUrl(server.issuer, webApp({ prompt: 'none', id_token_hint: aliceIdToken })),
      );
      expect(new URL(response.headers.get('location') as string).searchParams.get('code')).toBeTruthy();
    });
  });

  describe('re-authentication', () => {
    /** Whether the authorization stops at a sign-in page instead of returning a code at once. */
    async function asksToSignIn(browser: TestBrowser, params: Record<string, string>) {
      const step = await browser.follow(authorizationUrl(server.issuer, webApp(params)), webAppRedirect);
      if (step.url.startsWith(webAppRedirect)) return false;
      expect(step.response.status).toBe(200);
      return (await step.response.text()).includes('name="password"');
    }

    it('forces a new sign-in for max_age=0, even in the second of the last sign-in (OpenID Core §3.1.2.1)', async () => {
      const { issued } = await obtainTokens(server, { scope: 'openid' });
      expect(await asksToSignIn(issued.browser, { max_age: '0' })).toBe(true);
    });

    it('forces a new sign-in for max_age=0 and reports the later auth_time', async () => {
      const first = await obtainTokens(server, { scope: 'openid' });
      const firstAuthTime = payloadOf(first.id_token as string).auth_time as number;
      server.clock.advance(10);
      expect(await asksToSignIn(first.issued.browser, { max_age: '0' })).toBe(true);
      const again = await obtainCode(server, {
        browser: first.issued.browser,
        params: { max_age: '0', scope: 'openid' },
      });
      const tokens = (await (await redeemCode(server, again)).json()) as { id_token: string };
      expect(payloadOf(tokens.id_token).auth_time).toBeGreaterThanOrEqual(firstAuthTime + 10);
    });

    it('forces a new sign-in for prompt=login', async () => {
      const { issued } = await obtainTokens(server, { scope: 'openid' });
      expect(await asksToSignIn(issued.browser, { prompt: 'login' })).toBe(true);
    });

    it('does not ask again without max_age or prompt (so the two tests above could fail)', async () => {
      const { issued } = await obtainTokens(server, { scope: 'openid' });
      expect(await asksToSignIn(issued.browser, {})).toBe(false);
    });
  });

  describe('CORS', () => {
    it('sends no CORS headers from /authorize, even to a registered browser origin', async () => {
      const origin = 'http://127.0.0.1:9999';
      const get = await authorize(webApp({ prompt: 'none' }), { origin });
      const preflight = await server.fetch(`${server.issuer}/authorize`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
      for (const response of [get, preflight]) {
        const corsHeaders = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
        expect(corsHeaders).toEqual([]);
      }
    });
  });
});
