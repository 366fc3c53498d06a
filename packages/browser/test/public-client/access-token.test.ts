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
});
