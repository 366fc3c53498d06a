import { propertyRuns } from '@gatehouse/test-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CookieSigner, readCookie, serializeCookie } from '../../src/primitives/cookies.js';

// SECURITY.md §1, §4: the provider's cookies are read strictly (one cookie of a name, or none), what
// goes into `Set-Cookie` is validated (no CR/LF ever), and a signed value that was altered in any way
// is never read.

/** RFC 6265 cookie-name: an RFC 7230 token. */
const cookieName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}$/);
/** What `serializeCookie` accepts: base64url and dotted tokens. */
const cookieValue = fc.stringMatching(/^[A-Za-z0-9._~-]{0,60}$/);
const separator = fc.constantFrom('; ', ';', ' ;  ', ';\t');

describe('provider cookies (property)', () => {
  it('reads back every cookie of a header, whatever the others and the spacing', () => {
    const jar = fc.uniqueArray(fc.tuple(cookieName, cookieValue), { minLength: 1, maxLength: 8, selector: ([n]) => n });
    fc.assert(
      fc.property(jar, separator, (cookies, sep) => {
        const header = cookies.map(([n, v]) => `${n}=${v}`).join(sep);
        for (const [n, v] of cookies) expect(readCookie(header, n)).toBe(v);
      }),
      propertyRuns(300),
    );
  });

  it('reads what serializeCookie wrote, and never lets CR, LF or ";" into Set-Cookie', () => {
    fc.assert(
      fc.property(
        cookieName,
        cookieValue,
        fc.constantFrom<'Strict' | 'Lax'>('Strict', 'Lax'),
        fc.option(fc.nat(), { nil: undefined }),
        (n, v, sameSite, maxAgeSeconds) => {
          const setCookie = serializeCookie(n, v, {
            sameSite,
            ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
          });
          expect(setCookie).not.toMatch(/[\r\n]/);
          const [pair, ...attributes] = setCookie.split('; ');
          expect(readCookie(pair, n)).toBe(v);
          expect(attributes).toContain('HttpOnly');
          expect(attributes).toContain('Secure');
          expect(attributes).toContain('Path=/');
          expect(setCookie).not.toMatch(/domain/i);
        },
      ),
      propertyRuns(200),
    );
  });

  it('refuses to serialize any value with a character outside base64url and ".", with TypeError', () => {
    const foreign = fc
      .tuple(cookieValue, fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }), cookieValue)
      .filter(([, odd]) => /[^A-Za-z0-9._~-]/.test(odd))
      .map(([a, odd, b]) => `${a}${odd}${b}`);
    fc.assert(
      fc.property(cookieName, foreign, (n, v) => {
        expect(() => serializeCookie(n, v, { sameSite: 'Lax' })).toThrow(TypeError);
      }),
      propertyRuns(300),
    );
  });

  it('trusts neither copy of a cookie sent twice, however the copies are spaced', () => {
    fc.assert(
      fc.property(
        cookieName,
        cookieValue,
        cookieValue,
        fc.array(fc.tuple(cookieName, cookieValue), { maxLength: 4 }),
        fc.constantFrom('', ' ', '  '),
        (n, first, second, others, pad) => {
          const rest = others.filter(([o]) => o !== n).map(([o, v]) => `${o}=${v}`);
          const header = [`${n}=${first}`, ...rest, `${pad}${n}${pad}=${second}`].join('; ');
          expect(readCookie(header, n)).toBeUndefined();
        },
      ),
      propertyRuns(200),
    );
  });

  it('never reads a cookie whose name only looks like the wanted one', () => {
    const lookAlike = fc
      .tuple(cookieName, fc.constantFrom('x', '_', '-', '.', '2'))
      .chain(([n, extra]) =>
        fc.constantFrom(
          { wanted: n, sent: `${extra}${n}` },
          { wanted: n, sent: `${n}${extra}` },
          { wanted: n, sent: n.toUpperCase() === n ? n.toLowerCase() : n.toUpperCase() },
        ),
      );
    fc.assert(
      fc.property(lookAlike, cookieValue, ({ wanted, sent }, v) => {
        fc.pre(sent !== wanted);
        expect(readCookie(`${sent}=${v}`, wanted)).toBeUndefined();
      }),
      propertyRuns(200),
    );
  });

  it('never throws on a malformed Cookie header, and never returns a value spanning a ";"', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc
        .array(fc.constantFrom('__Host-gh', '=', ';', ' ', '"', '\\', '\u0000', '\r\n', 'é', 'a', '=='), {
          maxLength: 20,
        })
        .map((pieces) => pieces.join('')),
      fc.nat({ max: 3 }).map((n) => `a=${'x'.repeat(8190 + n)}`),
    );
    fc.assert(
      fc.property(hostile, fc.constantFrom('__Host-gh', 'a', '='), (header, n) => {
        const value = readCookie(header, n);
        if (value === undefined) return;
        expect(typeof value).toBe('string');
        expect(value).not.toContain(';');
        expect(header.length).toBeLessThanOrEqual(8192);
      }),
      propertyRuns(500),
    );
  });
});

describe('cookie signing (property)', () => {
  const secret = fc.string({ minLength: 32, maxLength: 40 });
  // What the provider signs is never empty (session ids); `unsign` reads nothing before the last ".".
  const signedValue = fc.string({ unit: 'binary', minLength: 1, maxLength: 200 });
  const purpose = fc.constantFrom('session', 'csrf', 'interaction');

  it('unsigns what it signed, under the first secret or any older one', () => {
    fc.assert(
      fc.property(secret, secret, signedValue, purpose, (current, previous, value, p) => {
        fc.pre(current !== previous);
        expect(new CookieSigner([current]).unsign(new CookieSigner([current]).sign(value, p), p)).toBe(value);
        const rotated = new CookieSigner([current, previous]);
        expect(rotated.unsign(new CookieSigner([previous]).sign(value, p), p)).toBe(value);
        // A retired secret signs nothing any more.
        expect(new CookieSigner([current]).unsign(new CookieSigner([previous]).sign(value, p), p)).toBeUndefined();
      }),
      propertyRuns(200),
    );
  });

  it('refuses a signed value with any one character changed, removed or added', () => {
    const tamper = fc.record({
      kind: fc.constantFrom('replace', 'remove', 'insert'),
      at: fc.nat(),
      with: fc.oneof(
        fc.constantFrom('.', 'A', 'a', '-', '_', '0', '='),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
    });
    fc.assert(
      fc.property(secret, fc.stringMatching(/^[A-Za-z0-9._~-]{1,80}$/), purpose, tamper, (s, value, p, t) => {
        const signer = new CookieSigner([s]);
        const signed = signer.sign(value, p);
        const i = t.at % (signed.length + (t.kind === 'insert' ? 1 : 0));
        const altered =
          t.kind === 'replace'
            ? `${signed.slice(0, i)}${t.with}${signed.slice(i + 1)}`
            : t.kind === 'remove'
              ? `${signed.slice(0, i)}${signed.slice(i + 1)}`
              : `${signed.slice(0, i)}${t.with}${signed.slice(i)}`;
        fc.pre(altered !== signed);
        expect(signer.unsign(altered, p)).toBeUndefined();
      }),
      propertyRuns(1000),
    );
  });

  it('refuses a value signed for another purpose, and a MAC for another value', () => {
    fc.assert(
      fc.property(secret, signedValue, signedValue, purpose, purpose, (s, value, other, p, q) => {
        const signer = new CookieSigner([s]);
        if (p !== q) expect(signer.unsign(signer.sign(value, p), q)).toBeUndefined();
        expect(signer.verifyMac(value, p, signer.mac(value, p))).toBe(true);
        if (other !== value) expect(signer.verifyMac(other, p, signer.mac(value, p))).toBe(false);
      }),
      propertyRuns(300),
    );
  });

  it('never throws on an arbitrary cookie value, and never accepts one it did not sign', () => {
    const forged = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 120 }),
      fc.tuple(signedValue, fc.base64String({ minLength: 40, maxLength: 48 })).map(([v, mac]) => `${v}.${mac}`),
      fc.constantFrom('', '.', '..', 'a.', '.a', 'x'.repeat(600)),
    );
    fc.assert(
      fc.property(secret, forged, purpose, (s, value, p) => {
        expect(new CookieSigner([s]).unsign(value, p)).toBeUndefined();
      }),
      propertyRuns(500),
    );
  });
});
