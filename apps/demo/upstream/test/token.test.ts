import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ada,
  app,
  basicAuthorization,
  obtainTokens,
  otherApp,
  requestToken,
  signIn,
  startTestProvider,
  type TestProvider,
  type TokenResponse,
} from './social-client.js';

const redirectUri = app.redirectUris[0] as string;

describe('token endpoint', () => {
  let social: TestProvider;
  beforeAll(async () => {
    social = await startTestProvider();
  });
  afterAll(() => social.close());

  const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

  describe('authorization_code grant', () => {
    it('redeems a code for bearer tokens, uncached', async () => {
      const { code, verifier } = await signIn(social.url, ada.id);
      const response = await requestToken(social.url, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as TokenResponse;
      expect(body).toEqual({
        access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        token_type: 'bearer',
        expires_in: 3600,
        refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        scope: 'public_profile email',
      });
    });

    it('accepts client_secret_post as well as client_secret_basic', async () => {
      const { code, verifier } = await signIn(social.url, ada.id);
      const params = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier };
      expect((await requestToken(social.url, params, 'post')).status).toBe(200);
    });

    it('rejects a code_verifier that does not match the S256 challenge', async () => {
      const { code } = await signIn(social.url, ada.id);
      const response = await requestToken(social.url, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: 'x'.repeat(43),
      });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toBe('invalid_grant');
    });

    it('rejects a reused code and revokes the tokens issued from it', async () => {
      const { code, verifier } = await signIn(social.url, ada.id);
      const params = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier };
      const first = (await (await requestToken(social.url, params)).json()) as TokenResponse;
      const replay = await requestToken(social.url, params);
      expect(replay.status).toBe(400);
      expect(await errorOf(replay)).toBe('invalid_grant');
      const refresh = await requestToken(social.url, {
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
      });
      expect(await errorOf(refresh)).toBe('invalid_grant');
    });

    it('rejects a redirect_uri other than the one the code was issued for', async () => {
      const { code, verifier } = await signIn(social.url, ada.id);
      const response = await requestToken(social.url, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: `${redirectUri}/other`,
        code_verifier: verifier,
      });
      expect(await errorOf(response)).toBe('invalid_grant');
    });

    it('rejects a code issued to another client', async () => {
      const { code, verifier } = await signIn(social.url, ada.id);
      const params = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier };
      expect(await errorOf(await requestToken(social.url, params, 'basic', otherApp))).toBe('invalid_grant');
    });

    it('rejects a code after 60 seconds', async () => {
      const { code, verifier } = await signIn(social.url, ada.id);
      social.clock.now += 60_000;
      const params = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier };
      expect(await errorOf(await requestToken(social.url, params))).toBe('invalid_grant');
    });

    it('rejects a request missing the code_verifier as invalid_request', async () => {
      const { code } = await signIn(social.url, ada.id);
      const response = await requestToken(social.url, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
      });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toBe('invalid_request');
    });
  });

  describe('refresh_token grant', () => {
    let tokens: TokenResponse;
    beforeEach(async () => {
      tokens = await obtainTokens(social.url, ada.id);
    });
    const refresh = (refreshToken: string) =>
      requestToken(social.url, { grant_type: 'refresh_token', refresh_token: refreshToken });

    it('rotates: each use returns a new refresh token and retires the old one', async () => {
      const response = await refresh(tokens.refresh_token);
      expect(response.status).toBe(200);
      const rotated = (await response.json()) as TokenResponse;
      expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
      expect(rotated.access_token).not.toBe(tokens.access_token);
      const reused = await refresh(tokens.refresh_token);
      expect(reused.status).toBe(400);
      expect(await errorOf(reused)).toBe('invalid_grant');
    });

    it('revokes the whole family when a retired refresh token comes back', async () => {
      const rotated = (await (await refresh(tokens.refresh_token)).json()) as TokenResponse;
      await refresh(tokens.refresh_token);
      expect(await errorOf(await refresh(rotated.refresh_token))).toBe('invalid_grant');
    });

    it('refuses a refresh token presented by another client', async () => {
      const response = await requestToken(
        social.url,
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        'basic',
        otherApp,
      );
      expect(await errorOf(response)).toBe('invalid_grant');
    });

    it('may narrow the scope but not widen it', async () => {
      const wider = await requestToken(social.url, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        scope: 'public_profile user_friends',
      });
      expect(await errorOf(wider)).toBe('invalid_scope');
      const narrower = await requestToken(social.url, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
        scope: 'email',
      });
      expect(((await narrower.json()) as TokenResponse).scope).toBe('email');
    });
  });

  it('counts successes by grant type', async () => {
    const before = { ...social.provider.counts };
    const tokens = await obtainTokens(social.url, ada.id);
    await requestToken(social.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    await requestToken(social.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }); // refused
    expect(social.provider.counts).toEqual({
      authorizationCode: before.authorizationCode + 1,
      refreshToken: before.refreshToken + 1,
    });
  });

  describe('client authentication', () => {
    it('answers a wrong Basic secret with 401 invalid_client and a Basic challenge', async () => {
      const response = await requestToken(social.url, { grant_type: 'refresh_token', refresh_token: 'x' }, 'basic', {
        ...app,
        clientSecret: 'wrong',
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(await errorOf(response)).toBe('invalid_client');
    });

    it('answers a wrong posted secret with 401 invalid_client and no challenge', async () => {
      const response = await requestToken(social.url, { grant_type: 'refresh_token', refresh_token: 'x' }, 'post', {
        ...app,
        clientSecret: 'wrong',
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect(await errorOf(response)).toBe('invalid_client');
    });

    it('refuses an unknown client and a request with no credentials', async () => {
      const unknown = await requestToken(social.url, { grant_type: 'refresh_token', refresh_token: 'x' }, 'basic', {
        ...app,
        clientId: 'unknown',
      });
      expect(unknown.status).toBe(401);
      const anonymous = await fetch(new URL('/oauth/token', social.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: app.clientId }),
      });
      expect(anonymous.status).toBe(401);
      expect(await errorOf(anonymous)).toBe('invalid_client');
    });

    it('refuses Basic and a posted secret together', async () => {
      const response = await fetch(new URL('/oauth/token', social.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(app) },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_secret: app.clientSecret }),
      });
      expect(await errorOf(response)).toBe('invalid_request');
    });
  });

  describe('malformed requests', () => {
    it('answers an unknown grant_type with unsupported_grant_type', async () => {
      const response = await requestToken(social.url, { grant_type: 'password', username: 'a', password: 'b' });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toBe('unsupported_grant_type');
    });

    it('answers a missing grant_type with invalid_request', async () => {
      expect(await errorOf(await requestToken(social.url, {}))).toBe('invalid_request');
    });

    it('refuses a body that is not form-urlencoded', async () => {
      const response = await fetch(new URL('/oauth/token', social.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basicAuthorization(app) },
        body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'x' }),
      });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toBe('invalid_request');
    });

    it('refuses a body over 16 KiB with 413', async () => {
      const response = await requestToken(social.url, {
        grant_type: 'refresh_token',
        refresh_token: 'x'.repeat(17_000),
      });
      expect(response.status).toBe(413);
      expect(await errorOf(response)).toBe('invalid_request');
    });

    it('refuses malformed percent-encoding and repeated parameters', async () => {
      const send = (body: string) =>
        fetch(new URL('/oauth/token', social.url), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(app) },
          body,
        });
      expect(await errorOf(await send('grant_type=refresh_token&refresh_token=%E0%A4%A'))).toBe('invalid_request');
      expect(await errorOf(await send('grant_type=refresh_token&grant_type=refresh_token'))).toBe('invalid_request');
    });

    it('answers other paths and methods with 404 JSON', async () => {
      const response = await fetch(new URL('/oauth/token', social.url));
      expect(response.status).toBe(404);
      expect(await errorOf(response)).toBe('not_found');
      expect((await fetch(new URL('/%zz', social.url))).status).toBe(400);
    });
  });
});
