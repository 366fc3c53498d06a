import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../src/proxy/route-match.js';

describe('matchRoute', () => {
  // Listed as an operator may list them: the broader route first.
  const routes = [{ path: '/api' }, { path: '/api/admin' }, { path: '/files' }];

  it.each([
    ['/api', '/api'],
    ['/api/', '/api'],
    ['/api/todos', '/api'],
    ['/api/admin', '/api/admin'],
    ['/api/admin/', '/api/admin'],
    ['/api/admin/users/1', '/api/admin'],
    ['/api/administrators', '/api'],
    ['/api//admin/x', '/api'],
    ['/files/a.txt', '/files'],
  ])('gives %s to the most specific route below which it lies: %s', (path, expected) => {
    expect(matchRoute(routes, path)?.path).toBe(expected);
  });

  it('picks the most specific route whatever the configured order', () => {
    expect(matchRoute([...routes].reverse(), '/api/admin/x')?.path).toBe('/api/admin');
  });

  it.each(['/apiary', '/API/x', '/%61pi/x', '/', '', '*', 'http://evil.test/api', '/filesystem'])(
    'gives %s to no route',
    (path) => {
      expect(matchRoute(routes, path)).toBeUndefined();
    },
  );
});
