import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ada,
  alan,
  appsecretProof,
  callApi,
  obtainTokens,
  otherApp,
  requestToken,
  startTestProvider,
  type TestProvider,
} from './social-client.js';

const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

describe('profile API with appsecret_proof required', () => {
  let social: TestProvider;
  beforeAll(async () => {
    social = await startTestProvider();
  });
  afterAll(() => social.close());

  it('answers /me with the profile in snake_case', async () => {
    const { access_token } = await obtainTokens(social.url, ada.id);
    const response = await callApi(social.url, '/me', access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      id: ada.id,
      name: ada.name,
      email: ada.email,
      email_verified: true,
    });
  });

  it('leaves out what the user does not have, and keeps only the fields asked for', async () => {
    const alanToken = (await obtainTokens(social.url, alan.id)).access_token;
    expect(await (await callApi(social.url, '/me', alanToken)).json()).toEqual({ id: alan.id, name: alan.name });
    const adaToken = (await obtainTokens(social.url, ada.id)).access_token;
    const url = `/me?fields=${encodeURIComponent('id,name')}`;
    expect(await (await callApi(social.url, url, adaToken)).json()).toEqual({ id: ada.id, name: ada.name });
  });

  it('answers /me/posts with the same few posts for the same user', async () => {
    const { access_token } = await obtainTokens(social.url, ada.id);
    const first = (await (await callApi(social.url, '/me/posts', access_token)).json()) as { data: unknown[] };
    expect(first.data.length).toBeGreaterThan(0);
    expect(first.data[0]).toEqual({
      id: expect.any(String),
      message: expect.stringContaining('Ada'),
      created_time: expect.any(String),
    });
    expect(await (await callApi(social.url, '/me/posts', access_token)).json()).toEqual(first);
  });

  it('refuses a call without appsecret_proof with 400 invalid_request', async () => {
    const { access_token } = await obtainTokens(social.url, ada.id);
    for (const path of ['/me', '/me/posts']) {
      const response = await callApi(social.url, path, access_token, null);
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toBe('invalid_request');
    }
  });

  it('refuses a wrong appsecret_proof with 403 invalid_appsecret_proof', async () => {
    const { access_token } = await obtainTokens(social.url, ada.id);
    const wrongProofs = [
      appsecretProof(access_token, otherApp.clientSecret),
      appsecretProof(`${access_token}x`),
      appsecretProof(access_token).toUpperCase(),
      'not-hex',
    ];
    for (const proof of wrongProofs) {
      const response = await callApi(social.url, '/me', access_token, proof);
      expect(response.status).toBe(403);
      expect(await errorOf(response)).toBe('invalid_appsecret_proof');
    }
  });

  it('answers a call without a token with a bare Bearer challenge', async () => {
    const response = await fetch(new URL('/me', social.url));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="example-social"');
  });

  it('answers an unknown token with 401 invalid_token', async () => {
    const response = await callApi(social.url, '/me', 'made-up-token');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await errorOf(response)).toBe('invalid_token');
  });

  it('answers a malformed Authorization header with 400 invalid_request', async () => {
    const response = await fetch(new URL('/me', social.url), { headers: { authorization: 'Bearer two words' } });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toBe('invalid_request');
  });

  it('stops accepting an access token once it expires', async () => {
    const { access_token, expires_in } = await obtainTokens(social.url, ada.id);
    social.clock.now += (expires_in - 1) * 1000;
    expect((await callApi(social.url, '/me', access_token)).status).toBe(200);
    social.clock.now += 1000;
    const expired = await callApi(social.url, '/me', access_token);
    expect(expired.status).toBe(401);
    expect(await errorOf(expired)).toBe('invalid_token');
  });

  it('keeps an access token working after its grant rotates the refresh token', async () => {
    const tokens = await obtainTokens(social.url, ada.id);
    await requestToken(social.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect((await callApi(social.url, '/me', tokens.access_token)).status).toBe(200);
  });

  it('revokeUser ends every grant of the user: access tokens 401, refresh tokens invalid_grant', async () => {
    const adaTokens = [await obtainTokens(social.url, ada.id), await obtainTokens(social.url, ada.id)];
    const alanTokens = await obtainTokens(social.url, alan.id);
    social.provider.revokeUser(ada.id);
    for (const tokens of adaTokens) {
      expect((await callApi(social.url, '/me', tokens.access_token)).status).toBe(401);
      const refresh = await requestToken(social.url, {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
      expect(await errorOf(refresh)).toBe('invalid_grant');
    }
    expect((await callApi(social.url, '/me', alanTokens.access_token)).status).toBe(200);
  });
});

describe('profile API with appsecret_proof not required', () => {
  let social: TestProvider;
  beforeAll(async () => {
    social = await startTestProvider({ requireAppsecretProof: false, accessTokenTtlSeconds: 60 });
  });
  afterAll(() => social.close());

  it('answers a call that carries no proof', async () => {
    const { access_token, expires_in } = await obtainTokens(social.url, ada.id);
    expect(expires_in).toBe(60);
    const response = await callApi(social.url, '/me', access_token, null);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(ada.id);
  });
});
