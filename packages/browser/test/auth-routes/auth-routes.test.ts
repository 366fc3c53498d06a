import { describe, expect, it } from 'vitest';
import { createAuthenticationRoutes, describeAuthenticationError } from '../../src/auth-routes/auth-routes.js';

function setup(overrides: Partial<Parameters<typeof createAuthenticationRoutes>[0]> = {}) {
  const calls: string[] = [];
  const routes = createAuthenticationRoutes({
    signIn: ({ returnUrl }) => {
      calls.push(`signIn ${returnUrl}`);
    },
    signOut: () => {
      calls.push('signOut');
    },
    navigate: (url) => {
      calls.push(`navigate ${url}`);
    },
    profileUrl: 'https://id.example.com/profile',
    ...overrides,
  });
  return { routes, calls };
}

describe('authentication routes', () => {
  it('mounts every route under /authentication unless a path is configured', () => {
    const { routes } = setup({ paths: { 'login-failed': '/oops' } });
    expect(routes.paths.login).toBe('/authentication/login');
    expect(routes.paths['logged-out']).toBe('/authentication/logged-out');
    expect(routes.match('/oops')).toBe('login-failed');
    expect(routes.match('/authentication/login-failed')).toBeUndefined();
    expect(routes.match('/todos')).toBeUndefined();
  });

  it('starts a sign-in to a local return path only', async () => {
    const { routes, calls } = setup();
    await routes.handle({ pathname: '/authentication/login', search: '?returnUrl=/todos%3Ftab%3D1' });
    await routes.handle({ pathname: '/authentication/login', search: '?returnUrl=//evil.example' });
    await routes.handle({ pathname: '/authentication/login', search: '?returnUrl=/%5Cevil' });
    await routes.handle({ pathname: '/authentication/login', search: '?returnUrl=https://evil.example' });
    expect(calls).toEqual(['signIn /todos?tab=1', 'signIn /', 'signIn /', 'signIn /']);
  });

  it('completes a public client sign-in, and sends a failure to login-failed with its code', async () => {
    const ok = setup({ completeSignIn: async () => ({ returnUrl: '/weather' }) });
    await ok.routes.handle({ pathname: '/authentication/login-callback', search: '?code=x&state=y' });
    expect(ok.calls).toEqual(['navigate /weather']);
    const failed = setup({
      completeSignIn: async () => {
        throw Object.assign(new Error('denied'), { code: 'access_denied' });
      },
    });
    await failed.routes.handle({ pathname: '/authentication/login-callback', search: '?error=access_denied' });
    expect(failed.calls).toEqual(['navigate /authentication/login-failed?error=access_denied']);
  });

  it('lets a replaced view take over a route, with a readable message', async () => {
    const seen: string[] = [];
    const { routes, calls } = setup({
      views: { 'login-failed': ({ message }) => void seen.push(message ?? '') },
    });
    const handled = await routes.handle({ pathname: '/authentication/login-failed', search: '?error=access_denied' });
    expect(handled).toBe(true);
    expect(seen).toEqual([describeAuthenticationError('access_denied')]);
    expect(calls).toEqual([]);
  });

  it('signs out, goes on from logout-callback, and sends profile to the provider', async () => {
    const { routes, calls } = setup();
    await routes.handle({ pathname: '/authentication/logout', search: '' });
    await routes.handle({ pathname: '/authentication/logout-callback', search: '' });
    await routes.handle({ pathname: '/authentication/profile', search: '' });
    expect(calls).toEqual([
      'signOut',
      'navigate /authentication/logged-out',
      'navigate https://id.example.com/profile',
    ]);
    expect(await routes.handle({ pathname: '/elsewhere', search: '' })).toBe(false);
  });

  it('describes known error codes in words and unknown ones generically', () => {
    expect(describeAuthenticationError('access_denied')).toMatch(/declined/);
    expect(describeAuthenticationError('<script>')).toBe('Sign-in did not complete. Try again.');
    expect(describeAuthenticationError(null)).toBe('Sign-in did not complete. Try again.');
  });

  it('requireAuth lets a signed-in user through and starts nothing', async () => {
    const { routes, calls } = setup({ isSignedIn: async () => true });
    expect(await routes.requireAuth({ location: { pathname: '/todos', search: '' } })).toBe(true);
    expect(calls).toEqual([]);
  });

  it('requireAuth signs a visitor in and brings them back to the route with its state', async () => {
    const seen: { returnUrl: string; state?: unknown }[] = [];
    const { routes } = setup({ isSignedIn: () => false, signIn: (options) => void seen.push(options) });
    const allowed = await routes.requireAuth({
      location: { pathname: '/todos', search: '?filter=open', hash: '#item-3' },
      state: { draft: 'buy milk' },
    });
    expect(allowed).toBe(false);
    expect(seen).toEqual([{ returnUrl: '/todos?filter=open#item-3', state: { draft: 'buy milk' } }]);
  });

  it('requireAuth never turns an outage into a sign-in, and needs isSignedIn', async () => {
    const outage = Object.assign(new Error('unavailable'), { code: 'ERR_BFF_UNAVAILABLE' });
    const { routes, calls } = setup({
      isSignedIn: async () => {
        throw outage;
      },
    });
    await expect(routes.requireAuth({ location: { pathname: '/todos', search: '' } })).rejects.toBe(outage);
    expect(calls).toEqual([]);
    await expect(setup().routes.requireAuth()).rejects.toThrow(TypeError);
  });

  it('requireAuth refuses to come back to anything but a local path', async () => {
    const seen: string[] = [];
    const { routes } = setup({ isSignedIn: () => false, signIn: ({ returnUrl }) => void seen.push(returnUrl) });
    await routes.requireAuth({ location: { pathname: '//evil.example/x', search: '' } });
    expect(seen).toEqual(['/']);
  });

  it('hands the state passed through sign-out to the logged-out view, once', async () => {
    const states = [{ goodbye: 'see you' }];
    const seen: unknown[] = [];
    const { routes } = setup({
      takeLogoutState: () => states.shift(),
      views: { 'logged-out': ({ state, message }) => void seen.push({ state, message }) },
    });
    await routes.handle({ pathname: '/authentication/logged-out', search: '' });
    await routes.handle({ pathname: '/authentication/logged-out', search: '' });
    expect(seen).toEqual([
      { state: { goodbye: 'see you' }, message: 'You are signed out.' },
      { state: undefined, message: 'You are signed out.' },
    ]);
  });

  it('explains a scope upgrade that came back for another account', () => {
    expect(describeAuthenticationError('account_mismatch')).toMatch(/somebody else/);
  });

  it('refuses a base path that is not a path', () => {
    expect(() => setup({ basePath: 'javascript:alert(1)' })).toThrow(TypeError);
  });
});
