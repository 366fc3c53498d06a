import { createHash } from 'node:crypto';
import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  clientsWith,
  getRaw,
  introspect,
  listenAuthorizationServer,
  payloadOf,
  spaRedirect,
  TestBrowser,
  userinfo,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClientMetadata } from '../../../src/checks/check-client-metadata.js';
import type { ClientMetadata } from '../../../src/protocol/client-metadata.js';

// SECURITY.md §2: the legacy implicit grant, only for clients that registered it, tokens in the fragment only.

const legacyRedirect = 'http://127.0.0.1:9999/legacy-callback';
const legacyClient = {
  client_id: 'legacy-spa',
  redirect_uris: [legacyRedirect],
  grant_types: ['implicit'],
  response_types: ['token', 'id_token token'],
  token_endpoint_auth_method: 'none',
  scope: 'openid profile api offline_access',
  skip_consent: true,
};
const implicitTtl = 120;

interface Discovery {
  response_types_supported: string[];
  grant_types_supported: string[];
}

function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/** The redirect's fragment parameters; the query must be empty (nothing but the registered URI). */
function fragmentOf(location: URL | string, redirectUri = legacyRedirect): URLSearchParams {
  const url = new URL(location);
  expect(`${url.origin}${url.pathname}`).toBe(redirectUri);
  expect(url.search).toBe('');
  return new URLSearchParams(url.hash.slice(1));
}

describe('implicit grant (legacy, opt-in per client)', () => {
  let server: AuthorizationServerUnderTest;
  const legacy = (params: Record<string, string>) =>
    authorizationUrl(server.issuer, {
      response_type: 'id_token token',
      client_id: legacyClient.client_id,
      redirect_uri: legacyRedirect,
      scope: 'openid profile api',
      state: 'st-1',
      nonce: 'n-1',
      ...params,
    });
  const errorOf = async (params: Record<string, string>) => {
    const response = await getRaw(server, legacy(params));
    expect(response.status).toBe(303);
    return fragmentOf(response.headers.get('location') as string);
  };

  beforeAll(async () => {
    server = await listenAuthorizationServer({
      clients: clientsWith(legacyClient),
      implicitAccessTokenTtlSeconds: implicitTtl,
    });
  });
  afterAll(() => server.close());

  describe('id_token token', () => {
    it('returns access and ID token in the fragment only, with nonce, at_hash and no refresh token', async () => {
      const callback = await new TestBrowser().authorize(legacy({}), legacyRedirect);
      const params = fragmentOf(callback);
      expect([...params.keys()].sort()).toEqual([
        'access_token',
        'expires_in',
        'id_token',
        'iss',
        'scope',
        'state',
        'token_type',
      ]);
      expect(params.get('state')).toBe('st-1');
      expect(params.get('iss')).toBe(server.issuer);
      expect(params.get('token_type')).toBe('Bearer');
      expect(params.get('expires_in')).toBe(String(implicitTtl));
      expect(params.get('scope')).toBe('openid profile api');
      expect(params.has('refresh_token')).toBe(false);
      const accessToken = params.get('access_token') as string;
      const access = payloadOf(accessToken);
      expect((access.exp as number) - (access.iat as number)).toBe(implicitTtl);
      expect(access.client_id).toBe(legacyClient.client_id);
      const id = payloadOf(params.get('id_token') as string);
      expect(id.nonce).toBe('n-1');
      expect(id.aud).toBe(legacyClient.client_id);
      expect(id.iss).toBe(server.issuer);
      expect(id.at_hash).toBe(atHash(accessToken));
    });

    it('answers prompt=none from an existing session with tokens, no page', async () => {
      const browser = new TestBrowser();
      await browser.authorize(legacy({}), legacyRedirect);
      const { url } = await browser.follow(legacy({ prompt: 'none', nonce: 'n-2', state: 'st-2' }), legacyRedirect);
      const params = fragmentOf(url);
      expect(params.get('state')).toBe('st-2');
      expect(payloadOf(params.get('id_token') as string).nonce).toBe('n-2');
    });

    it('answers prompt=none without a session with login_required in the fragment', async () => {
      const params = await errorOf({ prompt: 'none' });
      expect(params.get('error')).toBe('login_required');
      expect(params.get('state')).toBe('st-1');
    });

    it('refuses a request without nonce with invalid_request in the fragment', async () => {
      const params = await errorOf({ nonce: '' });
      expect(params.get('error')).toBe('invalid_request');
      expect(params.get('iss')).toBe(server.issuer);
      expect(params.get('state')).toBe('st-1');
      expect(params.has('access_token')).toBe(false);
    });
  });

  describe('token', () => {
    it('returns an access token (no ID token, no refresh token) that userinfo accepts', async () => {
      const callback = await new TestBrowser().authorize(
        legacy({ response_type: 'token', nonce: '', scope: 'openid profile' }),
        legacyRedirect,
      );
      const params = fragmentOf(callback);
      expect(params.has('id_token')).toBe(false);
      expect(params.has('refresh_token')).toBe(false);
      expect(params.get('token_type')).toBe('Bearer');
      const response = await userinfo(server, params.get('access_token') as string);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ name: 'Alice' });
    });

    it('ignores PKCE parameters, which bind a code the implicit grant does not have', async () => {
      const callback = await new TestBrowser().authorize(
        legacy({ response_type: 'token', code_challenge: 'x', code_challenge_method: 'plain' }),
        legacyRedirect,
      );
      expect(fragmentOf(callback).has('access_token')).toBe(true);
    });
  });

  describe('refusals', () => {
    it('refuses a client that did not register it with unauthorized_client, in the fragment', async () => {
      const response = await getRaw(
        server,
        authorizationUrl(server.issuer, {
          response_type: 'token',
          client_id: 'spa',
          redirect_uri: spaRedirect,
          scope: 'openid',
          state: 'st-3',
        }),
      );
      const params = fragmentOf(response.headers.get('location') as string, spaRedirect);
      expect(params.get('error')).toBe('unauthorized_client');
      expect(params.get('state')).toBe('st-3');
    });

    it.each(['query', 'form_post', 'jwt'])(
      'refuses response_mode=%s with invalid_request in the fragment',
      async (mode) => {
        const params = await errorOf({ response_mode: mode });
        expect(params.get('error')).toBe('invalid_request');
      },
    );

    it('accepts response_mode=fragment', async () => {
      const callback = await new TestBrowser().authorize(legacy({ response_mode: 'fragment' }), legacyRedirect);
      expect(fragmentOf(callback).has('access_token')).toBe(true);
    });

    it('refuses offline_access: no refresh token, ever', async () => {
      const params = await errorOf({ scope: 'openid offline_access' });
      expect(params.get('error')).toBe('invalid_scope');
    });

    it('refuses id_token token without the openid scope', async () => {
      const params = await errorOf({ scope: 'api' });
      expect(params.get('error')).toBe('invalid_scope');
    });

    it('sends the denial of consent to the fragment', async () => {
      const consenting = { ...legacyClient, client_id: 'legacy-consent', skip_consent: false };
      const other = await listenAuthorizationServer({ clients: clientsWith(consenting) });
      try {
        const browser = new TestBrowser();
        const url = authorizationUrl(other.issuer, {
          response_type: 'token',
          client_id: consenting.client_id,
          redirect_uri: legacyRedirect,
          scope: 'openid api',
          state: 'st-4',
        });
        // authorize() allows consent; here the user denies it on the consent page.
        let step = await browser.follow(url, legacyRedirect);
        step = await browser.submit(
          step.url,
          await step.response.text(),
          { email: 'alice@example.com', password: 'correct horse battery staple' },
          legacyRedirect,
        );
        const denied = await browser.submit(step.url, await step.response.text(), { decision: 'deny' }, legacyRedirect);
        const params = fragmentOf(denied.url);
        expect(params.get('error')).toBe('access_denied');
        expect(params.get('state')).toBe('st-4');
      } finally {
        await other.close();
      }
    });
  });

  describe('logout', () => {
    it('ends the implicit access token with the provider session', async () => {
      const browser = new TestBrowser();
      const params = fragmentOf(await browser.authorize(legacy({}), legacyRedirect));
      const accessToken = params.get('access_token') as string;
      expect(await (await introspect(server, accessToken)).json()).toMatchObject({ active: true });
      const logout = await browser.navigate(
        `${server.issuer}/logout?${new URLSearchParams({ id_token_hint: params.get('id_token') as string })}`,
      );
      expect(logout.status).toBeLessThan(400);
      expect(await (await introspect(server, accessToken)).json()).toEqual({ active: false });
      expect((await userinfo(server, accessToken)).status).toBe(401);
    });
  });

  describe('discovery', () => {
    it('advertises token response types and the implicit grant when a configured client registered them', async () => {
      const document = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
      expect(document.response_types_supported).toEqual(['code', 'token', 'id_token token']);
      expect(document.grant_types_supported).toContain('implicit');
    });

    it('advertises neither when no client registered them, and refuses response_type=token', async () => {
      const plain = await listenAuthorizationServer();
      try {
        const document = (await (await fetch(`${plain.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
        expect(document.response_types_supported).toEqual(['code']);
        expect(document.grant_types_supported).not.toContain('implicit');
        const response = await getRaw(
          plain,
          authorizationUrl(plain.issuer, {
            response_type: 'token',
            client_id: 'spa',
            redirect_uri: spaRedirect,
            scope: 'openid',
          }),
        );
        const location = new URL(response.headers.get('location') as string);
        expect(location.searchParams.get('error')).toBe('unsupported_response_type');
        expect(location.href).not.toMatch(/access_token/);
      } finally {
        await plain.close();
      }
    });
  });
});

describe('implicit client registration', () => {
  const base: ClientMetadata = {
    client_id: 'legacy',
    redirect_uris: [legacyRedirect],
    post_logout_redirect_uris: [],
    grant_types: ['implicit'],
    response_types: ['id_token token'],
    token_endpoint_auth_method: 'none',
    scope: 'openid',
    backchannel_logout_session_required: true,
    allowed_cors_origins: [],
    skip_consent: false,
    long_lived_tokens: false,
    one_time_code_issuers: [],
    upstream_tokens: [],
    resources: [],
  };

  it('accepts a public client with the implicit grant and a token response type', () => {
    expect(checkClientMetadata(base)).toBeUndefined();
  });

  it('refuses a token response type without the implicit grant', () => {
    expect(checkClientMetadata({ ...base, grant_types: ['authorization_code'] })?.field).toBe('response_types');
  });

  it('refuses the implicit grant without a token response type', () => {
    expect(checkClientMetadata({ ...base, response_types: ['code'] })?.field).toBe('grant_types');
  });

  it('refuses the implicit grant without a redirect URI', () => {
    expect(checkClientMetadata({ ...base, redirect_uris: [] })?.field).toBe('redirect_uris');
  });
});
