// @vitest-environment happy-dom
import { createElement as h, StrictMode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthenticationRoutes, GatehouseProvider, useReturnedState } from '../src/index.js';
import { alice, bffClient, publicClient, render, settle } from './fake-clients.js';
import { page } from './page.js';

afterEach(() => page.document.body.replaceChildren());

function Draft() {
  return h('p', null, String(useReturnedState<{ draft: string }>()?.draft));
}

describe('useReturnedState', () => {
  it('takes the BFF client’s one-time state once, and every render (StrictMode’s second one too) reads it', async () => {
    const fake = bffClient(async () => alice);
    let takes = 0;
    fake.client.takeReturnedState = () => (takes++ === 0 ? { draft: 'milk' } : undefined);
    const { container, rerender } = await render(
      h(StrictMode, null, h(GatehouseProvider, { client: fake.client }, h(Draft), h(Draft))),
    );
    await rerender(h(StrictMode, null, h(GatehouseProvider, { client: fake.client }, h(Draft))));
    expect(container.textContent).toBe('milk');
    expect(takes).toBe(1);
  });

  it('hands back the state a public client’s sign-in completed with', async () => {
    const fake = publicClient(null);
    fake.client.completeSignIn = async () => ({ returnUrl: '/', state: { draft: 'eggs' } });
    page.history.replaceState(null, '', '/authentication/login-callback?code=c&state=s');
    const { container } = await render(
      h(GatehouseProvider, { client: fake.client }, h(AuthenticationRoutes, null, h(Draft))),
    );
    await settle();
    expect(container.textContent).toBe('eggs');
  });
});
