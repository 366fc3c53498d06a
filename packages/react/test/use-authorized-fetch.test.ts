// @vitest-environment happy-dom
import { createElement as h } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { type FetchFunction, GatehouseProvider, useAuthorizedFetch } from '../src/index.js';
import { alice, bffClient, publicClient, render } from './fake-clients.js';

afterEach(() => document.body.replaceChildren());

function Grab({ scopes, seen }: { scopes?: string[]; seen: FetchFunction[] }) {
  seen.push(useAuthorizedFetch(scopes));
  return null;
}

describe('useAuthorizedFetch', () => {
  it('is the BFF client’s own fetch (cookie + x-csrf), whatever the scopes', async () => {
    const fake = bffClient(async () => alice);
    const seen: FetchFunction[] = [];
    await render(h(GatehouseProvider, { client: fake.client }, h(Grab, { scopes: ['api'], seen })));
    expect(seen.every((f) => f === fake.fetch)).toBe(true);
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

  it('without scopes or authorized URLs: the sign-in scopes, for this origin', async () => {
    const fake = publicClient(null);
    await render(h(GatehouseProvider, { client: fake.client }, h(Grab, { seen: [] })));
    expect(fake.calls).toEqual([`createAuthorizedFetch [["${location.origin}"],null]`]);
  });
});
