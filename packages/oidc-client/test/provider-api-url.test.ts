import { describe, expect, it } from 'vitest';
import { isBelowApiBase, withAppsecretProof } from '../src/provider-api-url.js';

describe('isBelowApiBase', () => {
  const base = 'https://graph.example.com/v1';

  it.each([
    'https://graph.example.com/v1',
    'https://graph.example.com/v1/',
    'https://graph.example.com/v1/me?fields=id',
    'https://graph.example.com/v1/me/posts',
    'https://graph.example.com:443/v1/me',
  ])('accepts %s', (url) => {
    expect(isBelowApiBase(url, base)).toBe(true);
  });

  it.each([
    ['another host', 'https://evil.example.com/v1/me'],
    ['a sibling host', 'https://graph.example.com.evil.test/v1/me'],
    ['plain http', 'http://graph.example.com/v1/me'],
    ['another port', 'https://graph.example.com:8443/v1/me'],
    ['a path prefix without a segment boundary', 'https://graph.example.com/v10/me'],
    ['a path above the base', 'https://graph.example.com/admin'],
    ['dot segments out of the base', 'https://graph.example.com/v1/../admin'],
    ['encoded dot segments', 'https://graph.example.com/v1/%2e%2e/admin'],
    ['an encoded slash', 'https://graph.example.com/v1/me%2f..%2f..%2fadmin'],
    ['an encoded backslash', 'https://graph.example.com/v1/me%5c..'],
    ['credentials', 'https://user:pass@graph.example.com/v1/me'],
    ['a relative URL', '/v1/me'],
    ['no URL at all', 'not a url'],
  ])('refuses %s', (_, url) => {
    expect(isBelowApiBase(url, base)).toBe(false);
  });

  it('takes a base with a trailing slash, and an origin as base', () => {
    expect(isBelowApiBase('https://graph.example.com/v1/me', 'https://graph.example.com/v1/')).toBe(true);
    expect(isBelowApiBase('https://graph.example.com/anything', 'https://graph.example.com')).toBe(true);
  });
});

describe('withAppsecretProof', () => {
  it('appends the proof to a URL without a query', () => {
    expect(withAppsecretProof('https://graph.example.com/me', 'ab12')).toBe(
      'https://graph.example.com/me?appsecret_proof=ab12',
    );
  });

  it('keeps the other parameters byte for byte, in order', () => {
    expect(withAppsecretProof('https://g.example/me?fields=id,name&q=a%20b+c', 'ab12')).toBe(
      'https://g.example/me?fields=id,name&q=a%20b+c&appsecret_proof=ab12',
    );
  });

  it.each([
    ['a plain one', 'appsecret_proof=forged'],
    ['several', 'appsecret_proof=1&appsecret_proof=2'],
    ['an encoded name', 'appsecret%5Fproof=forged'],
    ['an encoded name in lower case', 'appsecret%5fproof=forged'],
    ['one without a value', 'appsecret_proof'],
    ['an empty one', 'appsecret_proof='],
  ])('replaces the browser’s proof: %s', (_, query) => {
    expect(withAppsecretProof(`https://g.example/me?a=1&${query}&b=2`, 'ab12')).toBe(
      'https://g.example/me?a=1&b=2&appsecret_proof=ab12',
    );
  });

  it('leaves look-alike parameters alone and drops a fragment', () => {
    expect(withAppsecretProof('https://g.example/me?appsecret_proofs=1&x_appsecret_proof=2#frag', 'ab12')).toBe(
      'https://g.example/me?appsecret_proofs=1&x_appsecret_proof=2&appsecret_proof=ab12',
    );
  });
});
