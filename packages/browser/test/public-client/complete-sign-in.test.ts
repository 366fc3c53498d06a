import { describe, expect, it } from 'vitest';
import { beginAuthorization } from '../../src/public-client/begin-authorization.js';
import { completeSignIn } from '../../src/public-client/complete-sign-in.js';
import {
  authorizationParams,
  expectSignInError,
  fakeEnvironment,
  issuer,
  redirectUri,
  s256,
  type TokenAnswer,
  tokenResponse,
} from './fake-environment.js';

async function started(answers: (nonce: string, now: number) => TokenAnswer[]) {
  const { context, env } = fakeEnvironment();
  const url = await beginAuthorization({ returnUrl: '/profile', state: { draft: 'unsaved' } }, context);
  const params = authorizationParams(url);
  env.tokenAnswers.push(...answers(params.nonce as string, env.now));
  const callback = `${redirectUri}?${new URLSearchParams({ code: 'the-code', state: params.state as string, iss: issuer })}`;
  return { context, env, params, callback };
}

describe('complete a sign-in', () => {
  it('redeems the code with the verifier of the challenge sent, and keeps the tokens in memory', async () => {
    const { context, env, params, callback } = await started((nonce, now) => [tokenResponse(nonce, now)]);
    const result = await completeSignIn(callback, context);
    expect(result).toEqual({ returnUrl: '/profile', state: { draft: 'unsaved' } });
    const form = Object.fromEntries(env.sent[0]?.form ?? []);
    expect(form).toMatchObject({ grant_type: 'authorization_code', code: 'the-code', redirect_uri: redirectUri });
    expect(s256(form.code_verifier as string)).toBe(params.code_challenge);
    expect(context.memory.tokens).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    expect(context.memory.tokens?.claims.sub).toBe('alice');
  });

  it('redeems a code once: the same response again is invalid_state, and no token request is made', async () => {
    const { context, env, callback } = await started((nonce, now) => [tokenResponse(nonce, now)]);
    await completeSignIn(callback, context);
    await expectSignInError(completeSignIn(callback, context), 'invalid_state');
    expect(env.sent).toHaveLength(1);
  });

  it('keeps no tokens when the ID token carries another nonce', async () => {
    const { context, callback } = await started((_, now) => [tokenResponse('nonce-of-another-sign-in', now)]);
    await expectSignInError(completeSignIn(callback, context), 'invalid_id_token');
    expect(context.memory.tokens).toBeUndefined();
  });

  it('keeps no tokens when the ID token has expired by the time it arrives', async () => {
    const { context, env, callback } = await started((nonce, now) => [tokenResponse(nonce, now)]);
    env.now += 10 * 60_000; // the clock moves on; nobody slept
    await expectSignInError(completeSignIn(callback, context), 'invalid_id_token');
    expect(context.memory.tokens).toBeUndefined();
  });

  it('surfaces a refused code by the provider’s code', async () => {
    const { context, callback } = await started(() => [{ status: 400, json: { error: 'invalid_grant' } }]);
    await expectSignInError(completeSignIn(callback, context), 'invalid_grant');
  });

  it('redeems with the client’s redirect URI a transaction saved before redirect URIs were recorded', async () => {
    const { context, env, params, callback } = await started((nonce, now) => [tokenResponse(nonce, now)]);
    const key = `gatehouse.signin.${params.state}`;
    const { redirectUri: _, ...older } = JSON.parse(env.storage.getItem(key) as string);
    env.storage.setItem(key, JSON.stringify(older));
    await completeSignIn(callback, context);
    expect(env.sent[0]?.form.get('redirect_uri')).toBe(redirectUri);
  });
});
