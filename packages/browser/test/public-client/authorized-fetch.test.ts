import { describe, expect, it } from 'vitest';
import {
  type AuthorizedFetch,
  createAuthorizedFetch,
  createBearerFetch,
} from '../../src/public-client/authorized-fetch.js';
import { AccessTokenNotAvailableError } from '../../src/public-client/errors.js';
import { fakeEnvironment, rejection, signedInTokens, start } from './fake-environment.js';

/** A context whose fetch records each request's Authorization header (the provider is not involved). */
function apiEnvironment() {
  const { context, env } = fakeEnvironment();
  const seen: { url: string; authorization: string | null }[] = [];
  const provider = context.fetch;
  context.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (request.url.startsWith('https://idp.test/')) return provider(request);
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

  it('chains: each handler authorizes its own prefixes with its own scopes and hands the rest on', async () => {
    const { context, env, seen } = apiEnvironment();
    context.memory.tokens = signedInTokens(start, { scopes: ['openid', 'api', 'mail'] });
    env.tokenAnswers.push({ json: { access_token: 'mail-only', expires_in: 300 } });
    const mail = createAuthorizedFetch(['https://mail.test'], context, { scopes: ['mail'] });
    const api = createAuthorizedFetch(['https://api.test'], context, { fetch: mail });
    await api('https://api.test/todos');
    await api('https://mail.test/inbox');
    await api('https://cdn.test/logo.svg');
    expect(seen).toEqual([
      { url: 'https://api.test/todos', authorization: 'Bearer access-1' },
      { url: 'https://mail.test/inbox', authorization: 'Bearer mail-only' },
      { url: 'https://cdn.test/logo.svg', authorization: null },
    ]);
  });

  it('hands the caller’s input and options on unchanged, with only the header added', async () => {
    const { context } = apiEnvironment();
    context.memory.tokens = signedInTokens(start);
    const calls: { input: unknown; init: RequestInit | undefined }[] = [];
    const inner: AuthorizedFetch = async (input, init) => {
      calls.push({ input, init });
      return new Response('ok');
    };
    const api = createAuthorizedFetch(['https://api.test'], context, { fetch: inner });
    const signal = new AbortController().signal;
    // Cast: Node's RequestInit type lacks some of the browser's options (cache, mode, integrity).
    const options = {
      method: 'POST',
      body: 'draft',
      credentials: 'include',
      cache: 'no-store',
      mode: 'cors',
      integrity: 'sha256-abc',
      keepalive: true,
      signal,
      headers: { 'x-trace': '1' },
    } as RequestInit;
    await api('https://api.test/todos', options);
    const { headers, ...rest } = calls[0]?.init ?? {};
    expect(calls[0]?.input).toBe('https://api.test/todos');
    const { headers: _given, ...given } = options;
    expect(rest).toEqual(given); // every option as it came
    expect(rest.signal).toBe(signal);
    expect(Object.fromEntries(new Headers(headers))).toEqual({ 'x-trace': '1', authorization: 'Bearer access-1' });

    // A Request as input: handed on as it is, its own headers kept.
    const request = new Request('https://api.test/todos', { method: 'PUT', headers: { 'x-trace': '2' } });
    await api(request);
    expect(calls[1]?.input).toBe(request);
    expect(Object.fromEntries(new Headers(calls[1]?.init?.headers))).toEqual({
      'x-trace': '2',
      authorization: 'Bearer access-1',
    });
    // Not authorized: not even a header is added.
    await api('https://cdn.test/logo.svg', options);
    expect(calls[2]).toEqual({ input: 'https://cdn.test/logo.svg', init: options });
  });

  it('reads relative URLs against the page, and sends no header when the supplied token is undefined', async () => {
    const seen: (string | null)[] = [];
    let token: string | undefined;
    const bearer = createBearerFetch(
      ['/api'],
      () => token,
      async (_input, init) => {
        seen.push(new Headers(init?.headers).get('authorization'));
        return new Response('ok');
      },
      () => 'https://app.test/pages/here',
    );
    await bearer('/api/todos');
    token = 'long-lived';
    await bearer('/api/todos');
    await bearer('../api/todos');
    await bearer('/apis');
    expect(seen).toEqual([null, 'Bearer long-lived', 'Bearer long-lived', null]);
  });
});
