import { describe, expect, it } from 'vitest';
import { matchRoute, returnPathAfterLogin, routes } from '../src/routes.js';

describe('matchRoute', () => {
  it('finds every page by its path', () => {
    for (const route of routes) expect(matchRoute(route.path).name).toBe(route.name);
  });

  it('treats a trailing slash and /index.html like the plain path', () => {
    expect(matchRoute('/todos/').name).toBe('todos');
    expect(matchRoute('/authentication/login-failed/').name).toBe('login-failed');
    expect(matchRoute('/index.html').name).toBe('home');
  });

  it('answers not-found for unknown paths, other cases and deeper paths', () => {
    expect(matchRoute('/nowhere').name).toBe('not-found');
    expect(matchRoute('/Todos').name).toBe('not-found');
    expect(matchRoute('/todos/42').name).toBe('not-found');
    expect(matchRoute('/authentication').name).toBe('not-found');
  });
});

describe('returnPathAfterLogin', () => {
  it('comes back to the page and query the sign-in started on', () => {
    expect(returnPathAfterLogin('/todos', '?filter=open')).toBe('/todos?filter=open');
  });

  it('does not come back to a page about a finished sign-in or sign-out', () => {
    expect(returnPathAfterLogin('/authentication/login-failed', '?error=access_denied')).toBe('/');
    expect(returnPathAfterLogin('/authentication/logged-out', '')).toBe('/');
  });
});
