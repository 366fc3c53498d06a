import { describe, expect, it } from 'vitest';
import { trySilentSignIn } from '../../src/public-client/silent-sign-in.js';
import {
  authorizationParams,
  fakeEnvironment,
  issuer,
  rejection,
  type TokenAnswer,
  tokenResponse,
} from './fake-environment.js';

const silentRedirectUri = 'https://app.test/silent-callback.html';

/** A silent sign-in whose frame is answered by `answer(params)` (undefined: it never answers). */
function silently(answer: (params: Record<string, string>) => string | undefined, tokenAnswers: TokenAnswer[] = []) {
  const { context, env } = fakeEnvironment({ tokenAnswers });
  env.frameAnswer = async (url) => answer(authorizationParams(url));
  return { context, env, result: trySilentSignIn(5_000, context) };
}
const callback = (values: Record<string, string>) =>
  `${silentRedirectUri}?${new URLSearchParams({ iss: issuer, ...values })}`;

describe('silent sign-in', () => {
  it('asks prompt=none back to the silent page out of sight, and keeps the tokens', async () => {
    const { context, env } = fakeEnvironment();
    env.frameAnswer = async (url) => {
      const params = authorizationParams(url);
      env.tokenAnswers.push(tokenResponse(params.nonce, env.now));
      return callback({ code: 'c', state: params.state as string });
    };
    const result = await trySilentSignIn(5_000, context);
    expect(result).toEqual({ status: 'signed-in', claims: expect.objectContaining({ sub: 'alice' }) });
    const [frame] = env.frames;
    expect(frame?.timeoutMs).toBe(5_000);
    expect(authorizationParams(frame?.url as string)).toMatchObject({
      prompt: 'none',
      redirect_uri: silentRedirectUri,
    });
    expect(context.memory.tokens?.accessToken).toBe('access-1');
    expect(env.navigations).toEqual([]); // the page never moved
  });

  it.each(['login_required', 'consent_required', 'interaction_required'] as const)(
    'answers %s as a status when the provider needs the user',
    async (error) => {
      const { result } = silently((params) => callback({ error, state: params.state as string }));
      expect(await result).toEqual({ status: error });
    },
  );

  it('answers timeout, and drops the transaction, when the frame never answers', async () => {
    const { env, result } = silently(() => undefined);
    expect(await result).toEqual({ status: 'timeout' });
    expect(env.storage.items.size).toBe(0);
  });

  it('answers failed with the code of any other refusal', async () => {
    const forged = silently(() => callback({ code: 'c', state: 'A'.repeat(43) }));
    expect(await forged.result).toEqual({ status: 'failed', error: 'invalid_state' });
    const denied = silently((params) => callback({ error: 'access_denied', state: params.state as string }));
    expect(await denied.result).toEqual({ status: 'failed', error: 'access_denied' });
    const hostile = silently(
      (params) => callback({ code: 'c', state: params.state as string }),
      [{ json: { access_token: 'a', id_token: '%%%.e30.x' } }],
    );
    expect(await hostile.result).toEqual({ status: 'failed', error: 'invalid_id_token' });
  });

  it('is a TypeError without the silentRedirectUri option: the caller’s mistake', async () => {
    const { context } = fakeEnvironment({ settings: { silentRedirectUri: undefined } });
    expect(await rejection(trySilentSignIn(5_000, context))).toBeInstanceOf(TypeError);
  });
});
