import { propertyRuns } from '@gatehouse/test-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSessionId, serializeSessionCookie, sessionCookieName } from '../../src/session/session-cookie.js';

// SECURITY.md §5: the session cookie holds an opaque 256-bit id. What `readSessionId` returns is
// always exactly one well-formed id that the browser sent once; anything else — altered, truncated,
// extended, duplicated or huge — reads as no session, and no header makes it throw.

const idPattern = /^[A-Za-z0-9_-]{43}$/;
const sessionId = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'));
const otherName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}$/).filter((name) => name !== sessionCookieName);
const otherCookie = fc.tuple(otherName, fc.stringMatching(/^[A-Za-z0-9._~=-]{0,40}$/)).map(([n, v]) => `${n}=${v}`);
const separator = fc.constantFrom('; ', ';', ' ; ');

describe('session cookie (property)', () => {
  it('reads back the id it serialized, among any other cookies', () => {
    fc.assert(
      fc.property(
        sessionId,
        fc.array(otherCookie, { maxLength: 5 }),
        fc.array(otherCookie, { maxLength: 5 }),
        separator,
        fc.option(fc.nat({ max: 10 ** 7 }), { nil: undefined }),
        (id, before, after, sep, maxAge) => {
          const setCookie = serializeSessionCookie(id, maxAge);
          expect(setCookie).not.toMatch(/[\r\n]/);
          const pair = setCookie.split('; ')[0] as string;
          expect(readSessionId([...before, pair, ...after].join(sep))).toBe(id);
        },
      ),
      propertyRuns(300),
    );
  });

  it('reads no session from an id with any character changed, removed or added', () => {
    const tamper = fc.record({
      kind: fc.constantFrom('replace', 'remove', 'insert'),
      at: fc.nat(),
      with: fc.oneof(
        fc.constantFrom('.', '=', '+', '/', ' ', '"', '%', '\u0000'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
    });
    fc.assert(
      fc.property(sessionId, tamper, (id, t) => {
        const i = t.at % (id.length + (t.kind === 'insert' ? 1 : 0));
        const altered =
          t.kind === 'replace'
            ? `${id.slice(0, i)}${t.with}${id.slice(i + 1)}`
            : t.kind === 'remove'
              ? `${id.slice(0, i)}${id.slice(i + 1)}`
              : `${id.slice(0, i)}${t.with}${id.slice(i)}`;
        // Whitespace around a cookie value is the header's optional whitespace, not part of the value.
        fc.pre(altered.trim() !== id);
        const read = readSessionId(`${sessionCookieName}=${altered}`);
        // A replaced base64url character makes another well-formed id (one the store never issued);
        // everything else is no id at all. Either way, never the original.
        expect(read).not.toBe(id);
        if (read !== undefined) expect(read).toBe(altered.trim());
      }),
      propertyRuns(1000),
    );
  });

  it('trusts neither copy when the cookie is sent twice, wherever the copies are', () => {
    fc.assert(
      fc.property(
        sessionId,
        fc.oneof(sessionId, fc.string({ maxLength: 50 })),
        fc.array(otherCookie, { maxLength: 4 }),
        fc.nat(),
        (id, other, rest, at) => {
          const cookies = [...rest];
          cookies.splice(at % (cookies.length + 1), 0, `${sessionCookieName}=${id}`);
          cookies.splice((at * 7) % (cookies.length + 1), 0, ` ${sessionCookieName} =${other}`);
          expect(readSessionId(cookies.join('; '))).toBeUndefined();
        },
      ),
      propertyRuns(300),
    );
  });

  it('never throws on a malformed header and only ever returns a well-formed id', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 120 }),
      fc
        .array(
          fc.constantFrom(sessionCookieName, '__host-gh-session', 'gh-session', '=', ';', ' ', '"', '\u0000', 'A', '-'),
          { maxLength: 16 },
        )
        .map((pieces) => pieces.join('')),
      fc
        .tuple(sessionId, fc.nat({ max: 20 }))
        .map(([id, pad]) => `${sessionCookieName}=${id}; p=${'x'.repeat(8150 + pad)}`),
    );
    fc.assert(
      fc.property(hostile, (header) => {
        const read = readSessionId(header);
        if (read === undefined) return;
        expect(read).toMatch(idPattern);
        expect(header.length).toBeLessThanOrEqual(8192);
        expect(header).toContain(`${sessionCookieName}=`);
      }),
      propertyRuns(500),
    );
  });

  it('refuses to serialize anything but a session id, so no header can be split', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        fc.pre(!idPattern.test(value));
        expect(() => serializeSessionCookie(value)).toThrow(TypeError);
      }),
      propertyRuns(300),
    );
  });
});
