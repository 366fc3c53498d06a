import { describe, expect, it } from 'vitest';
import { beginAuthorization, signIn } from '../../src/public-client/begin-authorization.js';
import {
  authorizationParams,
  clientId,
  expectSignInError,
  fakeEnvironment,
  redirectUri,
  s256,
} from './fake-environment.js';

const transactionOf = (env: ReturnType<typeof fakeEnvironment>['env'], state: string) =>
  JSON.parse(env.storage.getItem(`gatehouse.signin.${state}`) as string);

describe('begin authorization', () => {
  it('asks for a code with PKCE S256 and fresh 256-bit state and nonce', async () => {
    const { context } = fakeEnvironment();
    const url = await beginAuthorization({}, context);
    expect(url.startsWith('https://idp.test/authorize?')).toBe(true);
    const params = authorizationParams(url);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: 'openid api',
      code_challenge_method: 'S256',
    });
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.state).not.toBe(params.nonce);
    expect(params.prompt).toBeUndefined();
  });

  it('keeps the transaction under its state: nonce, the verifier of the challenge sent, where to come back', async () => {
    const { context, env } = fakeEnvironment();
    const params = authorizationParams(await beginAuthorization({}, context));
    const transaction = transactionOf(env, params.state as string);
    expect(transaction).toEqual({
      nonce: params.nonce,
      verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      redirectUri,
      returnUrl: '/todos?filter=open#top', // the current page by default
      appStateId: null,
      scopes: ['openid', 'api'], // the client's by default
    });
    expect(s256(transaction.verifier)).toBe(params.code_challenge);
  });

  it('keeps the app’s state apart, and sends the prompt and redirect URI it is given', async () => {
    const { context, env } = fakeEnvironment();
    const url = await beginAuthorization(
      { returnUrl: '/profile', state: { draft: 'unsaved' }, prompt: 'none', redirectUri: 'https://app.test/silent' },
      context,
    );
    const params = authorizationParams(url);
    expect(params).toMatchObject({ prompt: 'none', redirect_uri: 'https://app.test/silent' });
    expect(url).not.toContain('unsaved');
    const transaction = transactionOf(env, params.state as string);
    expect(transaction).toMatchObject({ returnUrl: '/profile', redirectUri: 'https://app.test/silent' });
    expect(env.appStates.get(transaction.appStateId)).toEqual({ draft: 'unsaved' });
  });

  it('sends the browser to the provider on signIn', async () => {
    const { context, env } = fakeEnvironment();
    await signIn(undefined, context);
    expect(env.navigations).toHaveLength(1);
    expect(authorizationParams(env.navigations[0] as string).response_type).toBe('code');
  });

  it('keeps nothing and goes nowhere when discovery fails', async () => {
    const { context, env } = fakeEnvironment({ discovery: () => new Response('', { status: 500 }) });
    await expectSignInError(signIn({}, context), 'discovery_failed');
    expect(env.storage.items.size).toBe(0);
    expect(env.navigations).toEqual([]);
  });
});
