import { describe, expect, it } from 'vitest';
import { requestAccessToken } from '../../src/public-client/access-token.js';
import { authorizationParams, fakeEnvironment, signedInTokens, start } from './fake-environment.js';

describe('request an access token', () => {
  it('hands out the token it has while it is more than the margin from expiry', async () => {
    const { context, env } = fakeEnvironment();
    context.memory.tokens = signedInTokens(start);
    env.now += 239_000; // 61 s left, the margin is 60 s
    expect(await requestAccessToken(context)).toEqual({
      status: 'ok',
      accessToken: 'access-1',
      expiresAt: start + 300_000,
      scopes: ['openid', 'api'], // the client's, when the token response named none
    });
    expect(env.sent).toEqual([]);
  });

  it('renews within the margin', async () => {
    const { context, env } = fakeEnvironment({
      tokenAnswers: [{ json: { access_token: 'access-2', expires_in: 300 } }],
    });
    context.memory.tokens = signedInTokens(start);
    env.now += 241_000;
    expect(await requestAccessToken(context)).toEqual({
      status: 'ok',
      accessToken: 'access-2',
      expiresAt: env.now + 300_000,
      scopes: ['openid', 'api'],
    });
  });

  it('says how to sign in when no token can be had, and does not throw', async () => {
    const { context, env } = fakeEnvironment();
    const result = await requestAccessToken(context);
    expect(result.status).toBe('redirect');
    if (result.status !== 'redirect') return;
    await result.redirect({ returnUrl: '/todos', state: { draft: 'unsaved' } });
    expect(env.navigations).toHaveLength(1);
    const transaction = JSON.parse(
      env.storage.getItem(`gatehouse.signin.${authorizationParams(env.navigations[0] as string).state}`) as string,
    );
    expect(transaction.returnUrl).toBe('/todos');
    expect(env.appStates.get(transaction.appStateId)).toEqual({ draft: 'unsaved' });
  });

  it('keeps one token per scope set: a subset is narrowed by a refresh with that scope, then reused', async () => {
    const { context, env } = fakeEnvironment({
      tokenAnswers: [{ json: { access_token: 'read-only', expires_in: 300, refresh_token: 'refresh-2' } }],
    });
    context.memory.tokens = signedInTokens(start, { scopes: ['openid', 'api', 'api:read'] });
    const narrowed = await requestAccessToken(context, ['api:read', 'api', 'api:read']);
    expect(narrowed).toEqual({
      status: 'ok',
      accessToken: 'read-only',
      expiresAt: start + 300_000,
      scopes: ['api', 'api:read'],
    });
    expect(Object.fromEntries(env.sent[0]?.form ?? [])).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      scope: 'api api:read', // sorted: one key per set, however it is asked for
    });
    // The rotated refresh token is kept; the sign-in's own token is untouched and still served.
    expect(context.memory.tokens?.refreshToken).toBe('refresh-2');
    expect(await requestAccessToken(context)).toMatchObject({ accessToken: 'access-1' });
    expect(await requestAccessToken(context, ['api', 'api:read'])).toMatchObject({ accessToken: 'read-only' });
    // Every granted scope is the sign-in's token, not a narrowed copy.
    expect(await requestAccessToken(context, ['api:read', 'openid', 'api'])).toMatchObject({ accessToken: 'access-1' });
    expect(env.sent).toHaveLength(1);
  });

  it('renews a narrowed token once it is within the margin, with the refresh token it rotated to', async () => {
    const answer = (n: number) => ({
      json: { access_token: `read-${n}`, expires_in: 300, refresh_token: `refresh-${n}` },
    });
    const { context, env } = fakeEnvironment({ tokenAnswers: [answer(2), answer(3)] });
    context.memory.tokens = signedInTokens(start, { expiresAt: start + 3_600_000 });
    await requestAccessToken(context, ['api']);
    env.now += 241_000;
    expect(await requestAccessToken(context, ['api'])).toMatchObject({ accessToken: 'read-3' });
    expect(env.sent.map(({ form }) => form.get('refresh_token'))).toEqual(['refresh-1', 'refresh-2']);
  });

  it('asks for scopes never granted by a sign-in for them and the granted ones (incremental consent), sending nothing', async () => {
    const { context, env } = fakeEnvironment();
    context.memory.tokens = signedInTokens(start, { scopes: ['openid', 'api', 'offline_access'] });
    const result = await requestAccessToken(context, ['api', 'calendar', 'mail']);
    expect(result).toMatchObject({ status: 'redirect', missingScopes: ['calendar', 'mail'] });
    expect(env.sent).toEqual([]);
    if (result.status !== 'redirect') return;
    await result.redirect({ returnUrl: '/calendar', state: { month: 5 } });
    const params = authorizationParams(env.navigations[0] as string);
    expect(params.scope?.split(' ').sort()).toEqual(['api', 'calendar', 'mail', 'offline_access', 'openid']);
    expect(params.prompt).toBeUndefined(); // the provider asks about the new scopes by itself
    const transaction = JSON.parse(env.storage.getItem(`gatehouse.signin.${params.state}`) as string);
    expect(transaction).toMatchObject({ returnUrl: '/calendar', scopes: params.scope?.split(' ') });
    expect(env.appStates.get(transaction.appStateId)).toEqual({ month: 5 });
  });

  it('signs in for the client’s scopes and the asked ones when there are no tokens yet', async () => {
    const { context, env } = fakeEnvironment();
    const result = await requestAccessToken(context, ['calendar']);
    expect(result).toMatchObject({ status: 'redirect', missingScopes: [] });
    if (result.status === 'redirect') await result.redirect();
    expect(authorizationParams(env.navigations[0] as string).scope).toBe('openid api calendar');
  });

  it('signs in again, for the same scopes, when a narrowing refresh is refused', async () => {
    const { context, env } = fakeEnvironment({ tokenAnswers: [{ status: 400, json: { error: 'invalid_grant' } }] });
    context.memory.tokens = signedInTokens(start);
    expect(await requestAccessToken(context, ['api'])).toMatchObject({ status: 'redirect', missingScopes: [] });
    expect(context.memory.tokens).toBeUndefined();
    expect(env.sessionsEnded).toBe(1);
  });
});
