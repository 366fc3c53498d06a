import { describe, expect, it } from 'vitest';
import { malformedPercentEncoding } from '../../src/proxy/percent-encoding.js';

describe('malformedPercentEncoding', () => {
  it.each([
    '/api/stats',
    '/api/stats?days=7',
    '/api/caf%C3%A9?q=%E2%82%AC&x=%2B+1',
    '/api/%f0%9f%98%80?emoji=%F0%9F%98%80',
    '/api/stats?',
    '/api/a%2Fb?x=%00', // well-formed: other checks decide about these
  ])('finds nothing wrong in %s', (url) => {
    expect(malformedPercentEncoding(url)).toBeUndefined();
  });

  it.each([
    ['/api/stats?days=a%zzb', 'query'],
    ['/api/stats?days=%', 'query'],
    ['/api/stats?days=%4', 'query'],
    ['/api/stats?days=%C0%AF', 'query'], // overlong "/"
    ['/api/stats?days=%E2%82', 'query'], // truncated sequence
    ['/api/stats?days=%ED%A0%80', 'query'], // a UTF-16 surrogate
    ['/api/stats?days=%FF', 'query'],
    ['/api/a%zz?x=1', 'path'],
    ['/api/%C0%AF', 'path'],
    ['/api/%?x=%zz', 'path'],
    ['/api/a b', 'path'], // octets a request-target holds only encoded
    ['/api/a\u0000b', 'path'],
    ['/api/a#b', 'path'],
    ['/api/stats?days=7#x', 'query'],
  ] as const)('finds %s malformed in its %s', (url, part) => {
    expect(malformedPercentEncoding(url)).toBe(part);
  });
});
