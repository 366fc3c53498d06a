import { describe, expect, it } from 'vitest';
import { createAuthorizedFetch } from '../../src/public-client/authorized-fetch.js';
import { AccessTokenNotAvailableError } from '../../src/public-client/errors.js';
import { fakeEnvironment, rejection, signedInTokens, start } from './fake-environment.js';

/** A context whose fetch records each request's Authorization header (the provider is not involved). */
function apiEnvironment() {
  const { context, env } = fakeEnvironment();
  const seen: { url: string; authorization: string | null }[] = [];
  context.fetch = async (input, init) => {
    const request = new Request(input, init);
    seen.push({ url: request.url, authorization: request.headers.get('authorization') });
    return new Response('ok');
  };
  return { context, env, seen };
}

describe('authorized fetch', () => {
  it('attaches the bearer token under an authorized prefix only', async () => {
    const { context, seen } = apiEnvironment();
    context.memory.tokens = signedInTokens(start);
    const api = createAuthorizedFetch(['https://api.test/v1', '/local'], context);
    await api('https://api.test/v1/todos', { headers: { accept: 'application/json' } });
    await api('https://api.test/v10/todos');
    await api('https://evil.test/v1/todos');
    await api(new Request('https://app.test/local/data'));
    expect(seen).toEqual([
      { url: 'https://api.test/v1/todos', authorization: 'Bearer access-1' },
      { url: 'https://api.test/v10/todos', authorization: null },
      { url: 'https://evil.test/v1/todos', authorization: null },
      { url: 'https://app.test/local/data', authorization: 'Bearer access-1' },
    ]);
  });

  it('passes other requests through without asking for a token', async () => {
    const { context, seen } = apiEnvironment();
    const api = createAuthorizedFetch(['https://api.test/v1'], context);
    await api('https://cdn.test/logo.svg');
    expect(seen).toEqual([{ url: 'https://cdn.test/logo.svg', authorization: null }]);
  });

  it('throws AccessTokenNotAvailableError when none can be had, whose redirect() signs in', async () => {
    const { context, env, seen } = apiEnvironment();
    const api = createAuthorizedFetch(['https://api.test/v1'], context);
    const failure = await rejection(api('https://api.test/v1/todos'));
    expect(failure).toBeInstanceOf(AccessTokenNotAvailableError);
    expect(seen).toEqual([]);
    await (failure as AccessTokenNotAvailableError).redirect({ returnUrl: '/todos' });
    expect(env.navigations[0]?.startsWith('https://idp.test/authorize?')).toBe(true);
  });
});
