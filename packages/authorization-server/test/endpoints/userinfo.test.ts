import {
  type AuthorizationServerUnderTest,
  buildAuthorizationServer,
  obtainTokens,
  postForm,
  type TokenSet,
  userinfo,
  webAppAuthorization,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §3: UserInfo takes a bearer token in the header only and answers with RFC 6750 challenges.

describe('userinfo', () => {
  let server: AuthorizationServerUnderTest;
  let tokens: TokenSet;

  beforeAll(async () => {
    server = await buildAuthorizationServer();
    tokens = await obtainTokens(server);
  });
  afterAll(() => server.close());

  it('answers no token with 401 and a bare Bearer realm challenge', async () => {
    const response = await server.fetch(`${server.issuer}/userinfo`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="userinfo"');
  });

  it('answers a garbage token with 401 invalid_token', async () => {
    const response = await userinfo(server, 'garbage.garbage.garbage');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="userinfo", error="invalid_token"/);
  });

  it('answers an ID token used as an access token with 401 invalid_token', async () => {
    const response = await userinfo(server, tokens.id_token as string);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers a client-credentials token with 403 insufficient_scope', async () => {
    const clientToken = (await (
      await postForm(
        server,
        `${server.issuer}/token`,
        { grant_type: 'client_credentials' },
        { authorization: webAppAuthorization },
      )
    ).json()) as TokenSet;
    const response = await userinfo(server, clientToken.access_token);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('ignores a token in the query string: 401 with a bare challenge', async () => {
    const response = await server.fetch(`${server.issuer}/userinfo?access_token=${tokens.access_token}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="userinfo"');
    expect(await response.text()).not.toContain('@example.com');
  });

  it('ignores a token in a form body: 401 with a bare challenge', async () => {
    const response = await postForm(server, `${server.issuer}/userinfo`, { access_token: tokens.access_token });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="userinfo"');
  });

  it('answers the same token in the header (so the refusals above are about where it was sent)', async () => {
    const response = await userinfo(server, tokens.access_token);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { email?: string }).email).toBe('alice@example.com');
  });
});
