import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenFetch } from '../../src/public-client/app-token-fetch.js';

afterEach(() => vi.unstubAllGlobals());

describe('createTokenFetch', () => {
  it('attaches the token the app holds to its API only, read at each call', async () => {
    vi.stubGlobal('location', { href: 'https://app.test/page' });
    const seen: { url: string; authorization: string | null }[] = [];
    vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(new URL(String(input), 'https://app.test/page'), init);
      seen.push({ url: request.url, authorization: request.headers.get('authorization') });
      return new Response('ok');
    });
    let token: string | undefined;
    const api = createTokenFetch({ authorizedUrls: ['https://api.test'], accessToken: async () => token });
    await api('https://api.test/weatherforecast');
    token = 'long-lived';
    await api('https://api.test/weatherforecast');
    await api('https://elsewhere.test/weatherforecast');
    await api('/local');
    expect(seen).toEqual([
      { url: 'https://api.test/weatherforecast', authorization: null },
      { url: 'https://api.test/weatherforecast', authorization: 'Bearer long-lived' },
      { url: 'https://elsewhere.test/weatherforecast', authorization: null },
      { url: 'https://app.test/local', authorization: null },
    ]);
  });

  it('hands requests to the fetch it is given', async () => {
    vi.stubGlobal('location', { href: 'https://app.test/' });
    const inner = vi.fn(async () => new Response('ok'));
    const api = createTokenFetch({ authorizedUrls: ['/'], accessToken: () => 't', fetch: inner });
    await api('/x', { method: 'DELETE' });
    expect(inner).toHaveBeenCalledTimes(1);
    const [input, init] = inner.mock.calls[0] as unknown as [string, RequestInit];
    expect(input).toBe('/x');
    expect(init.method).toBe('DELETE');
    expect(new Headers(init.headers).get('authorization')).toBe('Bearer t');
  });
});
