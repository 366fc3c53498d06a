import {
  type AuthorizationServerUnderTest,
  buildAuthorizationServer,
  introspect,
  obtainTokens,
  postForm,
  refreshRequest,
  webAppAuthorization,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §3: revocation (RFC 7009).

describe('revocation', () => {
  let server: AuthorizationServerUnderTest;
  const revoke = (
    fields: Record<string, string>,
    headers: Record<string, string> = { authorization: webAppAuthorization },
  ) => postForm(server, `${server.issuer}/revoke`, fields, headers);

  beforeAll(async () => {
    server = await buildAuthorizationServer();
  });
  afterAll(() => server.close());

  it('answers 200 for a token it never issued', async () => {
    const response = await revoke({ token: 'never-issued-0123456789abcdefghijklmnopqrstuv' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 200 for a token already revoked, and for a wrong token_type_hint', async () => {
    const tokens = await obtainTokens(server);
    expect((await revoke({ token: tokens.refresh_token as string, token_type_hint: 'access_token' })).status).toBe(200);
    expect((await revoke({ token: tokens.refresh_token as string })).status).toBe(200);
    expect((await refreshRequest(server, 'web-app', tokens.refresh_token as string)).status).toBe(400);
  });

  it('revokes the family of a refresh token, access tokens included', async () => {
    const tokens = await obtainTokens(server);
    const rotated = (await (await refreshRequest(server, 'web-app', tokens.refresh_token as string)).json()) as {
      access_token: string;
      refresh_token: string;
    };
    expect((await revoke({ token: rotated.refresh_token })).status).toBe(200);
    expect(await (await introspect(server, rotated.access_token)).json()).toEqual({ active: false });
    expect(await (await introspect(server, tokens.access_token)).json()).toEqual({ active: false });
  });

  it("cannot revoke another client's refresh token: it still works afterwards", async () => {
    const spa = await obtainTokens(server, { client: 'spa' });
    const response = await revoke({ token: spa.refresh_token as string });
    expect(response.status).toBeLessThan(500);
    expect((await refreshRequest(server, 'spa', spa.refresh_token as string)).status).toBe(200);
  });

  it("cannot revoke another client's access token: it stays active", async () => {
    const spa = await obtainTokens(server, { client: 'spa' });
    expect((await revoke({ token: spa.access_token })).status).toBeLessThan(500);
    expect(await (await introspect(server, spa.access_token)).json()).toMatchObject({ active: true });
  });

  it('requires client authentication', async () => {
    const tokens = await obtainTokens(server);
    const response = await revoke({ token: tokens.refresh_token as string }, {});
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
    expect((await refreshRequest(server, 'web-app', tokens.refresh_token as string)).status).toBe(200);
  });
});
