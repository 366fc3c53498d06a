// @vitest-environment happy-dom
import type { BffUser } from '@gatehouse/browser';
import { act, createElement as h, StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatehouseProvider, useUser } from '../src/index.js';
import { alice, bffClient, publicClient, render, settle } from './fake-clients.js';
import { page } from './page.js';

function Status() {
  const { status, user, isAuthenticated, isLoading } = useUser();
  const name = user && 'session' in user ? (user as BffUser).claims.name : user?.sub; // BFF or public
  return h('p', null, `${status} ${String(name ?? '-')} ${isAuthenticated} ${isLoading}`);
}

/** Hands the hook's actions to the test. */
function Grab({ actions }: { actions: { signOut?: () => Promise<void> } }) {
  actions.signOut = useUser().signOut;
  return h(Status);
}

afterEach(() => page.document.body.replaceChildren());

describe('GatehouseProvider and useUser', () => {
  it('shows loading until the BFF answers, then the user', async () => {
    let answer: (user: typeof alice | null) => void = () => {};
    const { client, calls } = bffClient(() => new Promise((resolve) => (answer = resolve)));
    const { container } = await render(h(GatehouseProvider, { client }, h(Status)));
    expect(container.textContent).toBe('loading - false true');
    await act(async () => answer(alice));
    expect(container.textContent).toBe('signed-in Alice true false');
    expect(calls).toEqual(['user']); // asked once, not once per render
  });

  it('follows onUserChange: a sign-out seen by the client signs the page out', async () => {
    const fake = bffClient(async () => alice);
    const { container, unmount } = await render(h(GatehouseProvider, { client: fake.client }, h(Status)));
    expect(container.textContent).toBe('signed-in Alice true false');
    await settle();
    await act(async () => fake.emit(null));
    expect(container.textContent).toBe('signed-out - false false');
    await unmount();
    expect(fake.listeners.size).toBe(0); // unsubscribed
  });

  it('a change reported while the first user() is in flight is not overwritten by its late answer', async () => {
    let answer: (user: typeof alice | null) => void = () => {};
    const fake = bffClient(() => new Promise((resolve) => (answer = resolve)));
    const { container } = await render(h(GatehouseProvider, { client: fake.client }, h(Status)));
    await act(async () => fake.emit(null));
    await act(async () => answer(alice));
    expect(container.textContent).toBe('signed-out - false false');
  });

  it('an unreachable BFF is an error, not a signed-out user', async () => {
    const { client } = bffClient(() => Promise.reject(new TypeError('Failed to fetch')));
    const { container } = await render(h(GatehouseProvider, { client }, h(Status)));
    await settle();
    expect(container.textContent).toBe('error - false false');
  });

  it('reads the public client (its ID-token claims) and survives StrictMode', async () => {
    const { client } = publicClient({ iss: 'https://idp', sub: 'carol', aud: 'spa' });
    const { container } = await render(h(StrictMode, null, h(GatehouseProvider, { client }, h(Status))));
    await settle();
    expect(container.textContent).toBe('signed-in carol true false');
  });

  it('signOut() through the hook signs the public client out and the page with it', async () => {
    const fake = publicClient({ iss: 'https://idp', sub: 'carol', aud: 'spa' });
    const actions: { signOut?: () => Promise<void> } = {};
    const { container } = await render(h(GatehouseProvider, { client: fake.client }, h(Grab, { actions })));
    await settle();
    await act(() => actions.signOut?.() ?? Promise.resolve());
    expect(fake.calls).toContain('signOut');
    expect(container.textContent).toBe('signed-out - false false');
  });

  it('a hook outside the provider, or a client that is neither kind, is a clear error', async () => {
    const errors: unknown[] = [];
    const quiet = (event: { preventDefault(): void }) => event.preventDefault();
    page.addEventListener('error', quiet);
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {}); // React's own report
    try {
      await render(h(Status)).catch((error) => errors.push(error));
      await render(h(GatehouseProvider, { client: {} as never })).catch((error) => errors.push(error));
    } finally {
      page.removeEventListener('error', quiet);
      consoleError.mockRestore();
    }
    expect(String(errors[0])).toContain('useUser() must be used inside <GatehouseProvider>');
    expect(String(errors[1])).toContain('client must be a createBffClient() or createPublicClient() client');
  });
});
