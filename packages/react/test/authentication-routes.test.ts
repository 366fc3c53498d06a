// @vitest-environment happy-dom
import { act, createElement as h, StrictMode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthenticationRoutes, GatehouseProvider, navigateInApp, useUser } from '../src/index.js';
import { alice, bffClient, publicClient, render, settle } from './fake-clients.js';
import { page } from './page.js';

afterEach(() => page.document.body.replaceChildren());

function Who() {
  const { user } = useUser();
  return h('p', null, `app: ${user && 'sub' in user ? user.sub : '-'}`);
}

describe('AuthenticationRoutes', () => {
  it('renders the app on its own paths and follows in-app navigation', async () => {
    page.history.replaceState(null, '', '/orders');
    const fake = bffClient(async () => alice);
    const { container } = await render(
      h(GatehouseProvider, { client: fake.client }, h(AuthenticationRoutes, null, h('p', null, 'the app'))),
    );
    expect(container.textContent).toBe('the app');
    await act(async () => navigateInApp('/authentication/logged-out'));
    await settle();
    expect(container.textContent).toBe('You are signed out.');
    expect(fake.calls).toEqual(['user']);
  });

  it('login starts the sign-in to the local returnUrl only, once under StrictMode', async () => {
    page.history.replaceState(null, '', '/authentication/login?returnUrl=%2F%2Fevil.example%2Fx');
    const fake = bffClient(async () => null);
    await render(h(StrictMode, null, h(GatehouseProvider, { client: fake.client }, h(AuthenticationRoutes))));
    await settle();
    expect(fake.calls.filter((call) => call.startsWith('login'))).toEqual(['login {"returnUrl":"/"}']);
  });

  it('login-failed shows the readable sentence of its error code, through `render`', async () => {
    page.history.replaceState(null, '', '/auth/oops?error=access_denied');
    const fake = bffClient(async () => null);
    const { container } = await render(
      h(
        GatehouseProvider,
        { client: fake.client },
        h(AuthenticationRoutes, {
          basePath: '/auth',
          paths: { 'login-failed': '/auth/oops' },
          render: ({ route, message }) => h('p', { role: 'alert' }, `${route}: ${message ?? '…'}`),
        }),
      ),
    );
    await settle();
    expect(container.textContent).toBe('login-failed: You declined to sign in, so the app cannot act for you.');
  });

  it('login-callback completes a public client’s sign-in once, then shows the app at the returnUrl, signed in', async () => {
    page.history.replaceState(null, '', '/authentication/login-callback?code=c&state=s');
    const fake = publicClient(null);
    const { container } = await render(
      h(StrictMode, null, h(GatehouseProvider, { client: fake.client }, h(AuthenticationRoutes, null, h(Who)))),
    );
    await settle();
    await settle();
    expect(fake.calls.filter((call) => call === 'completeSignIn')).toHaveLength(1);
    expect(`${page.location.pathname}${page.location.search}`).toBe('/orders?page=2'); // no reload: the tokens are in memory
    expect(container.textContent).toBe('app: bob');
  });

  it('logged-out hands back the state passed through sign-out (BFF), taken once under StrictMode', async () => {
    page.history.replaceState(null, '', '/authentication/logged-out');
    const fake = bffClient(async () => null);
    let takes = 0;
    fake.client.takeLogoutState = () => (takes++ === 0 ? { from: '/todos' } : undefined);
    const { container } = await render(
      h(
        StrictMode,
        null,
        h(
          GatehouseProvider,
          { client: fake.client },
          h(AuthenticationRoutes, {
            render: ({ message, state }) => h('p', null, `${message ?? '…'} ${String(state?.from)}`),
          }),
        ),
      ),
    );
    await settle();
    expect(container.textContent).toBe('You are signed out. /todos');
    expect(takes).toBe(1);
  });

  it('logout signs out through the client, and the page knows at once', async () => {
    page.history.replaceState(null, '', '/authentication/logout');
    const fake = bffClient(async () => alice);
    await render(h(GatehouseProvider, { client: fake.client }, h(AuthenticationRoutes)));
    await settle();
    expect(fake.calls).toContain('logout');
  });
});
