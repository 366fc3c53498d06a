import { describe, expect, it } from 'vitest';
import { renewTokens } from '../../src/public-client/renew.js';
import { clientId, fakeEnvironment, idTokenClaims, jwt, signedInTokens, start } from './fake-environment.js';

const rotated = (n: number) => ({
  json: { access_token: `access-${n}`, expires_in: 300, refresh_token: `refresh-${n}` },
});

describe('renew', () => {
  it('redeems the refresh token and keeps the rotated one, so the next renewal sends the new one', async () => {
    const { context, env } = fakeEnvironment({ tokenAnswers: [rotated(2), rotated(3)] });
    context.memory.tokens = signedInTokens(start);
    env.now += 250_000;
    expect(await renewTokens(context)).toMatchObject({ accessToken: 'access-2', expiresAt: env.now + 300_000 });
    await renewTokens(context);
    expect(env.sent.map(({ form }) => Object.fromEntries(form))).toEqual([
      { grant_type: 'refresh_token', refresh_token: 'refresh-1', client_id: clientId },
      { grant_type: 'refresh_token', refresh_token: 'refresh-2', client_id: clientId },
    ]);
    expect(context.memory.tokens?.accessToken).toBe('access-3');
  });

  it('renews under the client’s Web Lock, and a renewal that waited takes the tokens another just got', async () => {
    const { context, env } = fakeEnvironment({ tokenAnswers: [rotated(2)] });
    context.memory.tokens = signedInTokens(start);
    const [first, second] = await Promise.all([renewTokens(context), renewTokens(context)]);
    expect(env.locks.names).toEqual([`gatehouse-renew:${clientId}`, `gatehouse-renew:${clientId}`]);
    expect(env.sent).toHaveLength(1); // one refresh token, redeemed once: rotation is not tripped
    expect(first?.accessToken).toBe('access-2');
    expect(second).toBe(first);
  });

  it('renews without Web Locks where the browser has none', async () => {
    const { context } = fakeEnvironment({ tokenAnswers: [rotated(2)], locks: false });
    context.memory.tokens = signedInTokens(start);
    expect((await renewTokens(context))?.accessToken).toBe('access-2');
  });

  it.each([
    ['a refused refresh token', { status: 400, json: { error: 'invalid_grant' } }],
    ['a success without an access token', { json: { token_type: 'Bearer' } }],
    [
      'an ID token for another user',
      { json: { access_token: 'a', id_token: jwt(idTokenClaims(undefined, start, { sub: 'mallory' })) } },
    ],
    ['no answer', 'network failure' as const],
  ])('forgets the tokens after %s: the user signs in again', async (_, answer) => {
    const { context } = fakeEnvironment({ tokenAnswers: [answer] });
    context.memory.tokens = signedInTokens(start);
    expect(await renewTokens(context)).toBeUndefined();
    expect(context.memory.tokens).toBeUndefined();
  });

  it('asks nothing without a refresh token', async () => {
    const { context, env } = fakeEnvironment();
    expect(await renewTokens(context)).toBeUndefined();
    context.memory.tokens = signedInTokens(start, { refreshToken: undefined });
    expect(await renewTokens(context)).toBeUndefined();
    expect(env.sent).toEqual([]);
    expect(context.memory.tokens).toBeDefined();
  });
});
