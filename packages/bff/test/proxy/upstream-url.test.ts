import { describe, expect, it } from 'vitest';
import { resolveUpstream } from '../../src/proxy/upstream-url.js';

// The properties (upstream-url.property.test.ts) say no accepted path leaves the target prefix; these
// examples pin which refusal each kind of probe gets.
const routes = [
  { path: '/api', target: 'http://api.internal:5000/v1' },
  { path: '/api/admin', target: 'http://admin.internal:5001/' },
];

describe('resolveUpstream', () => {
  it.each([
    ['/api/todos?x=1', 'http://api.internal:5000/v1/todos?x=1'],
    ['/api', 'http://api.internal:5000/v1'],
    ['/api/admin/users?', 'http://admin.internal:5001/users?'],
    ['/api/administrators', 'http://api.internal:5000/v1/administrators'],
    [
      '/api/v1.2/.well-known/a;b=1/caf%C3%A9/100%2525?next=/../x',
      'http://api.internal:5000/v1/v1.2/.well-known/a;b=1/caf%C3%A9/100%2525?next=/../x',
    ],
  ])('sends %s to %s', (rawUrl, url) => {
    expect(resolveUpstream(routes, rawUrl)).toMatchObject({ kind: 'upstream', url });
  });

  it('names the most specific route, whatever the configured order', () => {
    const resolved = resolveUpstream(routes, '/api/admin/x');
    expect(resolved.kind === 'upstream' && resolved.route).toBe(routes[1]);
  });

  it.each([
    // Under no route, or named by another route once decoded (the router's reading).
    '/apiary',
    '/%61pi/x',
    '/api/%61dmin/x',
    '/api/admin%2Fx',
    // Dot segments, raw, encoded, double-encoded, and with ";" parameters.
    '/api/../x',
    '/api/./x',
    '/api/%2e%2e/x',
    '/api/%252e%252e/x',
    '/api/.%252E/x',
    '/api/..;/x',
    '/api/..;jsessionid=1/x',
    '/api/.;/x',
    '/api/..%3b/x',
    // Slashes and backslashes, encoded once or twice.
    '/api/a%2Fb',
    '/api/..%252f..%252fx',
    '/api/a%5Cb',
    '/api/..%255cx',
    '/api/a\\b',
  ])('refuses %s with 404 path_not_allowed', (rawUrl) => {
    expect(resolveUpstream(routes, rawUrl)).toEqual({ kind: 'refused', status: 404, reason: 'path_not_allowed' });
  });

  it.each([
    '/api/%00',
    '/api/a%00.json',
    '/api/x%0D%0Ay',
    '/api/%1f',
    '/api/%7F',
    '/api/%C2%85',
    '/api/a%zz',
    '/api/%C0%AE',
    '/api/a b',
    '/api/a#b',
  ])('refuses %s with 400 malformed_path', (rawUrl) => {
    expect(resolveUpstream(routes, rawUrl)).toEqual({ kind: 'refused', status: 400, reason: 'malformed_path' });
  });

  it('refuses a malformed query with 400 malformed_query', () => {
    expect(resolveUpstream(routes, '/api/x?q=%zz')).toEqual({
      kind: 'refused',
      status: 400,
      reason: 'malformed_query',
    });
  });
});
