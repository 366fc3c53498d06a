// @vitest-environment happy-dom

import { AccessTokenNotAvailableError } from '@gatehouse/browser';
import { createElement as h } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { type FetchFunction, GatehouseProvider, useAuthorizedFetch } from '../src/index.js';
import { alice, bffClient, publicClient, render } from './fake-clients.js';
import { page } from './page.js';

afterEach(() => page.document.body.replaceChildren());

function Grab({ scopes, seen }: { scopes?: string[]; seen: FetchFunction[] }) {
  seen.push(useAuthorizedFetch(scopes));
  return null;
}

describe('useAuthorizedFetch', () => {
  it('without scopes, is the BFF client’s own fetch (cookie + x-csrf)', async () => {
    const fake = bffClient(async () => alice);
    const seen: FetchFunction[] = [];
    await render(h(GatehouseProvider, { client: fake.client }, h(Grab, { seen })));
    expect(seen.every((f) => f === fake.fetch)).toBe(true);
  });

  it('BFF, with scopes the session was not granted: throws before calling; redirect() asks for just the missing ones', async () => {
    const fake = bffClient(async () => alice); // granted openid profile api
    let called = 0;
    fake.client.fetch = async () => {
      called++;
      return new Response('{}');
    };
    const seen: FetchFunction[] = [];
    await render(h(GatehouseProvider, { client: fake.client }, h(Grab, { scopes: ['api', 'orders:write'], seen })));
    const error = await (seen.at(-1) as FetchFunction)('/api/orders').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessTokenNotAvailableError);
    expect((error as AccessTokenNotAvailableError).missingScopes).toEqual(['orders:write']);
    expect(called).toBe(0);
    await (error as AccessTokenNotAvailableError).redirect({ returnUrl: '/orders', state: { step: 2 } });
    expect(fake.calls.at(-1)).toBe('login {"returnUrl":"/orders","state":{"step":2},"scopes":["orders:write"]}');
  });

  it('BFF, with scopes the session has: the call goes through', async () => {
    const fake = bffClient(async () => alice);
    const seen: FetchFunction[] = [];
    await render(h(GatehouseProvider, { client: fake.client }, h(Grab, { scopes: ['api'], seen })));
    const response = await (seen.at(-1) as FetchFunction)('/api/todos');
    expect(response.status).toBe(200);
  });

  it('asks the public client for a fetch per scope set and authorized URLs, kept across renders', async () => {
    const fake = publicClient({ iss: 'https://idp', sub: 'bob', aud: 'spa' });
    const seen: FetchFunction[] = [];
    const tree = (scopes: string[]) =>
      h(
        GatehouseProvider,
        { client: fake.client, authorizedUrls: ['https://api.example.com/v1'] },
        h(Grab, { scopes, seen }),
      );
    const { rerender } = await render(tree(['orders:write', 'api']));
    await rerender(tree(['api', 'orders:write'])); // a new array of the same scopes
    expect(new Set(seen).size).toBe(1);
    await rerender(tree(['api']));
    expect(new Set(seen).size).toBe(2);
    expect(fake.calls.filter((call) => call.startsWith('createAuthorizedFetch'))).toEqual([
      'createAuthorizedFetch [["https://api.example.com/v1"],{"scopes":["api","orders:write"]}]',
      'createAuthorizedFetch [["https://api.example.com/v1"],{"scopes":["api"]}]',
    ]);
  });

  it('without scopes or authorized URLs: the SDK’s defaults (the sign-in scopes, this origin)', async () => {
    const fake = publicClient(null);
    await render(h(GatehouseProvider, { client: fake.client }, h(Grab, { seen: [] })));
    expect(fake.calls).toEqual(['createAuthorizedFetch [null,null]']);
  });
});
