import { describe, expect, it } from 'vitest';
import { CookieJar, isTrustworthy, siteOf } from '../src/cookie-jar.js';

const app = new URL('https://app.example/page');
const sameSite = { sameSite: true, laxAllowed: false };
const crossSiteNavigation = { sameSite: false, laxAllowed: true };
const crossSiteSubresource = { sameSite: false, laxAllowed: false };

function jarWith(url: URL, ...lines: string[]): CookieJar {
  const jar = new CookieJar();
  jar.store(url, lines);
  return jar;
}

describe('the cookie jar', () => {
  it('sends a stored cookie back to its origin, and to no other', () => {
    const jar = jarWith(app, 'id=1; Path=/');
    expect(jar.header(new URL('https://app.example/x'), sameSite)).toBe('id=1');
    expect(jar.header(new URL('https://app.example:8443/x'), sameSite)).toBe('');
    expect(jar.header(new URL('https://other.example/x'), sameSite)).toBe('');
  });

  it('forgets a cookie set again with Max-Age=0, or with an Expires in the past', () => {
    const jar = jarWith(app, 'a=1; Path=/', 'b=2; Path=/');
    jar.store(app, ['a=; Path=/; Max-Age=0', `b=; Path=/; Expires=${new Date(Date.now() - 1000).toUTCString()}`]);
    expect(jar.names(app.origin)).toEqual([]);
  });

  it('keeps a cookie whose Max-Age is in the future, even when an Expires says the past (Max-Age wins)', () => {
    const jar = jarWith(app, `a=1; Path=/; Max-Age=60; Expires=${new Date(0).toUTCString()}`);
    expect(jar.get(app.origin, 'a')).toBe('1');
  });

  describe('SameSite', () => {
    const jar = jarWith(
      app,
      'strict=s; Path=/; Secure; SameSite=Strict',
      'lax=l; Path=/; Secure',
      'none=n; Path=/; Secure; SameSite=None',
    );

    it('sends every cookie on a same-site request', () => {
      expect(jar.header(app, sameSite)).toBe('strict=s; lax=l; none=n');
    });

    it('sends Lax (the default) and None cookies on a cross-site top-level GET, never Strict ones', () => {
      expect(jar.header(app, crossSiteNavigation)).toBe('lax=l; none=n');
    });

    it('sends only None cookies on any other cross-site request', () => {
      expect(jar.header(app, crossSiteSubresource)).toBe('none=n');
    });

    it('refuses SameSite=None without Secure, as Chromium does', () => {
      expect(jarWith(app, 'n=1; Path=/; SameSite=None').names(app.origin)).toEqual([]);
    });
  });

  describe('Secure', () => {
    it('refuses a Secure cookie set by a plain-http origin that is not loopback', () => {
      const plain = new URL('http://app.example/');
      expect(jarWith(plain, 's=1; Path=/; Secure').names(plain.origin)).toEqual([]);
    });

    it('accepts a Secure cookie from localhost and 127.0.0.1, which browsers treat as secure contexts', () => {
      for (const url of [new URL('http://localhost:3000/'), new URL('http://127.0.0.1:4000/')]) {
        expect(jarWith(url, 's=1; Path=/; Secure').get(url.origin, 's')).toBe('1');
      }
    });
  });

  describe('prefixes (RFC 6265bis §4.1.3)', () => {
    it('refuses __Secure- without Secure', () => {
      expect(jarWith(app, '__Secure-a=1; Path=/').names(app.origin)).toEqual([]);
    });

    it.each([
      ['without Secure', '__Host-a=1; Path=/'],
      ['with a Path other than /', '__Host-a=1; Path=/app; Secure'],
      ['without a Path (its default path is not /)', '__Host-a=1; Secure'],
      ['with a Domain', '__Host-a=1; Path=/; Secure; Domain=app.example'],
    ])('refuses __Host- %s', (_label, line) => {
      expect(jarWith(new URL('https://app.example/dir/page'), line).names(app.origin)).toEqual([]);
    });

    it('accepts __Host- with Secure, Path=/ and no Domain (so the refusals are about the rule)', () => {
      expect(jarWith(app, '__Host-a=1; Path=/; Secure; HttpOnly').get(app.origin, '__Host-a')).toBe('1');
    });
  });

  describe('Path', () => {
    it('sends a cookie only under its path, at a segment boundary', () => {
      const jar = jarWith(app, 'p=1; Path=/bff');
      expect(jar.header(new URL('https://app.example/bff'), sameSite)).toBe('p=1');
      expect(jar.header(new URL('https://app.example/bff/callback'), sameSite)).toBe('p=1');
      expect(jar.header(new URL('https://app.example/bffx'), sameSite)).toBe('');
      expect(jar.header(new URL('https://app.example/'), sameSite)).toBe('');
    });

    it('defaults the path to the directory of the request (RFC 6265 §5.1.4)', () => {
      const jar = jarWith(new URL('https://app.example/a/b/page'), 'd=1');
      expect(jar.header(new URL('https://app.example/a/b/other'), sameSite)).toBe('d=1');
      expect(jar.header(new URL('https://app.example/a/other'), sameSite)).toBe('');
    });
  });

  it('refuses a Domain attribute naming another host', () => {
    expect(jarWith(app, 'd=1; Path=/; Domain=other.example').names(app.origin)).toEqual([]);
  });
});

describe('sites and secure contexts', () => {
  it('tells sites apart by scheme and registrable domain, never by port', () => {
    expect(siteOf('http://127.0.0.1:3000')).toBe(siteOf('http://127.0.0.1:4000'));
    expect(siteOf('http://localhost:3000')).not.toBe(siteOf('http://127.0.0.1:3000'));
    expect(siteOf('https://a.app.example')).toBe(siteOf('https://b.app.example'));
    expect(siteOf('http://app.example')).not.toBe(siteOf('https://app.example'));
  });

  it('counts https and loopback as trustworthy, plain http elsewhere not', () => {
    expect(isTrustworthy(new URL('https://app.example'))).toBe(true);
    expect(isTrustworthy(new URL('http://127.0.0.5:1'))).toBe(true);
    expect(isTrustworthy(new URL('http://app.localhost'))).toBe(true);
    expect(isTrustworthy(new URL('http://app.example'))).toBe(false);
  });
});
