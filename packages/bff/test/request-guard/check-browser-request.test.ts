import { describe, expect, it } from 'vitest';
import { checkBrowserRequest } from '../../src/request-guard/check-browser-request.js';

const own = 'https://app.example.com';
const verdict = (headers: Record<string, string | string[]>) => checkBrowserRequest({ headers }, own);

describe('browser request guard', () => {
  it('allows a same-origin fetch with x-csrf: 1', () => {
    expect(verdict({ 'x-csrf': '1', origin: own, 'sec-fetch-site': 'same-origin' })).toEqual({ allowed: true });
  });

  it('allows x-csrf: 1 from a browser that sends neither Origin nor Sec-Fetch-Site', () => {
    expect(verdict({ 'x-csrf': '1' })).toEqual({ allowed: true });
  });

  it.each([
    ['no x-csrf header', {}, 'missing_csrf_header'],
    ['x-csrf with another value', { 'x-csrf': 'true' }, 'missing_csrf_header'],
    ['x-csrf sent twice', { 'x-csrf': ['1', '1'] }, 'missing_csrf_header'],
    ['Sec-Fetch-Site: cross-site', { 'x-csrf': '1', 'sec-fetch-site': 'cross-site' }, 'cross_site_request'],
    ['another origin', { 'x-csrf': '1', origin: 'https://evil.example' }, 'cross_site_request'],
    ['a sibling origin on the same site', { 'x-csrf': '1', origin: 'https://api.example.com' }, 'cross_site_request'],
    ['Origin: null', { 'x-csrf': '1', origin: 'null' }, 'cross_site_request'],
    ['our origin over http', { 'x-csrf': '1', origin: 'http://app.example.com' }, 'cross_site_request'],
    [
      'a cross-site form post without the header',
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      'cross_site_request',
    ],
  ])('refuses %s with 403', (_, headers, reason) => {
    expect(verdict(headers as Record<string, string>)).toEqual({ allowed: false, status: 403, reason });
  });
});
