// @vitest-environment happy-dom
import { act, createElement as h } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { GatehouseProvider, RequireAuth } from '../src/index.js';
import { alice, bffClient, render, settle } from './fake-clients.js';
import { page } from './page.js';

afterEach(() => page.document.body.replaceChildren());

const guarded = (client: ReturnType<typeof bffClient>['client'], props = {}) =>
  h(
    GatehouseProvider,
    { client },
    h(RequireAuth, { fallback: h('p', null, 'signing you in'), ...props }, h('p', null, 'the todos')),
  );

describe('RequireAuth', () => {
  it('a signed-out visit to a protected route signs in once, coming back to the route with its state', async () => {
    page.history.replaceState(null, '', '/todos?filter=open#new');
    const fake = bffClient(async () => null);
    const { container, rerender } = await render(guarded(fake.client, { state: { draft: 'milk' } }));
    await settle();
    await rerender(guarded(fake.client, { state: { draft: 'milk' } }));
    expect(container.textContent).toBe('signing you in');
    // Asked again before leaving the page: the client has the last word.
    expect(fake.calls).toEqual([
      'user',
      'user',
      'login {"returnUrl":"/todos?filter=open#new","state":{"draft":"milk"}}',
    ]);
  });

  it('renders the route for a signed-in user and starts no sign-in', async () => {
    const fake = bffClient(async () => alice);
    const { container } = await render(guarded(fake.client));
    await settle();
    expect(container.textContent).toBe('the todos');
    expect(fake.calls).toEqual(['user']);
  });

  it('an unreachable BFF shows the error fallback and does not send the user round to sign in', async () => {
    const fake = bffClient(() => Promise.reject(new TypeError('Failed to fetch')));
    const { container } = await render(guarded(fake.client, { errorFallback: h('p', null, 'try again soon') }));
    await settle();
    expect(container.textContent).toBe('try again soon');
    expect(fake.calls).toEqual(['user']);
  });

  it('renders its fallback on the server, where nothing is known yet', () => {
    const fake = bffClient(async () => alice);
    expect(renderToString(guarded(fake.client))).toBe('<p>signing you in</p>');
    expect(fake.calls).toEqual([]); // effects do not run on the server
  });
});

describe('RequireAuth when the page’s status and the client disagree', () => {
  it('a status signed out for a moment while the client has the user (a sign-in just completed) starts nothing', async () => {
    const fake = bffClient(async () => alice);
    const tree = (key: string) =>
      h(
        GatehouseProvider,
        { client: fake.client },
        h(RequireAuth, { key, fallback: h('p', null, 'signing you in') }, h('p', null, 'the todos')),
      );
    const { container, rerender } = await render(tree('first'));
    await act(async () => fake.emit(null)); // the page's status: signed out; the client's user(): Alice
    await rerender(tree('mounted-now')); // a guard mounted by the navigation in that moment
    await settle();
    expect(container.textContent).toBe('signing you in');
    expect(fake.calls.filter((call) => call.startsWith('login'))).toEqual([]);
  });
});

describe('RequireAuth when the session ends while the route is shown', () => {
  it('starts no second navigation: the sign-out (or the app’s own redirect with its state) goes on', async () => {
    page.history.replaceState(null, '', '/todos');
    const fake = bffClient(async () => alice);
    const { container } = await render(guarded(fake.client));
    await settle();
    expect(container.textContent).toBe('the todos');
    await act(() => fake.client.logout());
    await settle();
    expect(container.textContent).toBe('signing you in');
    expect(fake.calls).toEqual(['user', 'logout']); // no login started over the logout
  });
});
