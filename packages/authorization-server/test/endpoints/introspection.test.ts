import {
  type AuthorizationServerUnderTest,
  buildAuthorizationServer,
  introspect,
  obtainTokens,
  postForm,
  webAppAuthorization,
} from '@gatehouse/test-kit';
import { base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §3: introspection (RFC 7662).

describe('introspection', () => {
  let server: AuthorizationServerUnderTest;

  beforeAll(async () => {
    server = await buildAuthorizationServer();
  });
  afterAll(() => server.close());

  async function expectInactive(response: Response) {
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toBe('{"active":false}');
  }

  it('answers exactly {"active":false} for a token it never issued', async () => {
    await expectInactive(await introspect(server, 'never-issued-0123456789abcdefghijklmnopqrstuv'));
  });

  it('refuses a caller without client authentication with 401', async () => {
    const tokens = await obtainTokens(server);
    const response = await postForm(server, `${server.issuer}/introspect`, { token: tokens.access_token });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('refuses a caller that only names a public client, which is no authentication (RFC 7662 §2.1)', async () => {
    const tokens = await obtainTokens(server);
    const response = await postForm(server, `${server.issuer}/introspect`, {
      token: tokens.access_token,
      client_id: 'spa',
    });
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('"active":true');
  });

  it('answers a live access token as active (so the inactive answers could fail)', async () => {
    const tokens = await obtainTokens(server);
    expect(await (await introspect(server, tokens.access_token)).json()).toMatchObject({
      active: true,
      sub: expect.any(String),
    });
  });

  it('answers {"active":false} for a revoked access token', async () => {
    const tokens = await obtainTokens(server);
    await postForm(
      server,
      `${server.issuer}/revoke`,
      { token: tokens.access_token },
      { authorization: webAppAuthorization },
    );
    await expectInactive(await introspect(server, tokens.access_token));
  });

  it('answers {"active":false} for another client\'s refresh token', async () => {
    const spa = await obtainTokens(server, { client: 'spa' });
    await expectInactive(await introspect(server, spa.refresh_token as string));
  });

  it('answers {"active":false} for an ID token presented as a token', async () => {
    const tokens = await obtainTokens(server);
    await expectInactive(await introspect(server, tokens.id_token as string));
  });

  it('answers {"active":false} for an access token whose signature was tampered with', async () => {
    const tokens = await obtainTokens(server);
    const [header, , signature] = tokens.access_token.split('.') as [string, string, string];
    const payload = {
      ...JSON.parse(Buffer.from(tokens.access_token.split('.')[1] as string, 'base64url').toString()),
      scope: 'admin',
    };
    await expectInactive(
      await introspect(server, `${header}.${base64url.encode(JSON.stringify(payload))}.${signature}`),
    );
  });

  it.each([
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['bad base64url', '!!!.@@@.###'],
    ['a header that is not JSON', `${base64url.encode('not json')}.${base64url.encode('{}')}.c2ln`],
    [
      'an array payload',
      `${base64url.encode('{"alg":"ES256","kid":"x","typ":"at+jwt"}')}.${base64url.encode('[]')}.c2ln`,
    ],
    [
      'a string exp',
      `${base64url.encode('{"alg":"ES256","kid":"x","typ":"at+jwt"}')}.${base64url.encode('{"exp":"never"}')}.c2ln`,
    ],
    ['alg none', `${base64url.encode('{"alg":"none","typ":"at+jwt"}')}.${base64url.encode('{"sub":"x"}')}.`],
    ['a huge header', `${base64url.encode(JSON.stringify({ alg: 'ES256', kid: 'k'.repeat(5500) }))}.e30.c2ln`],
  ])('answers exactly {"active":false} for a malformed JWT (%s)', async (_label, token) => {
    await expectInactive(await introspect(server, token));
  });

  it('refuses a token longer than any parameter may be with 400 invalid_request, not a 500', async () => {
    const response = await introspect(server, `${'a'.repeat(10_000)}.b.c`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });
});
