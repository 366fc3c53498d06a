import { propertyRuns } from '@gatehouse/test-kit';
import fc from 'fast-check';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { requestParams } from '../../src/http/request-params.js';
import { parseParams, queryParams } from '../../src/primitives/params.js';
import { OAuthError } from '../../src/protocol/errors.js';

// SECURITY.md §1: parameters are read strictly — repeated ones refused, an empty one absent, NUL,
// every other C0 control and DEL refused, malformed encoding refused — and what is read is always
// one string, whatever the wire spelling.

/** C0 controls and DEL (SECURITY.md §1), plus the C1 range the store also refuses. */
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Any Unicode text without control characters (lone surrogates are not text; fast-check skips them). */
const text = (constraints: { minLength?: number; maxLength: number }) =>
  fc.string({ unit: 'binary', ...constraints }).filter((value) => !controlCharacter.test(value));
const name = text({ minLength: 1, maxLength: 12 });
const value = text({ minLength: 1, maxLength: 40 });

type Encoding = 'component' | 'form' | 'every-byte-lower' | 'every-byte-upper';
const encoding = fc.constantFrom<Encoding>('component', 'form', 'every-byte-lower', 'every-byte-upper');

/** `value` as a client may legitimately spell it on the wire. */
function encode(raw: string, how: Encoding): string {
  switch (how) {
    case 'component':
      return encodeURIComponent(raw);
    case 'form': // application/x-www-form-urlencoded: space as "+"
      return new URLSearchParams([['x', raw]]).toString().slice('x='.length);
    case 'every-byte-lower':
    case 'every-byte-upper': {
      const bytes = [...Buffer.from(raw, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
      return how === 'every-byte-upper' ? bytes.toUpperCase() : bytes;
    }
  }
}

/** Runs `read` and expects the strict parser's refusal: an `invalid_request` OAuthError, nothing else. */
function expectInvalidRequest(read: () => unknown): void {
  let thrown: unknown;
  try {
    read();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(OAuthError);
  expect((thrown as OAuthError).code).toBe('invalid_request');
}

const distinctPairs = fc.uniqueArray(fc.tuple(name, value, encoding), {
  minLength: 1,
  maxLength: 8,
  selector: ([n]) => n,
});

describe('request parameters (property)', () => {
  it('reads back every name and value, however each is encoded', () => {
    fc.assert(
      fc.property(distinctPairs, fc.boolean(), (pairs, withEmptyPairs) => {
        const raw = pairs.map(([n, v, how]) => `${encode(n, how)}=${encode(v, how)}`).join(withEmptyPairs ? '&&' : '&');
        const params = parseParams(raw);
        for (const [n, v] of pairs) {
          expect(params.get(n)).toBe(v);
          expect(params.isUnreadable(n)).toBe(false);
        }
        expect(params.toObject()).toEqual(Object.fromEntries(pairs.map(([n, v]) => [n, v])));
      }),
      propertyRuns(300),
    );
  });

  it('detects a repeated parameter, whatever its spellings and values, and refuses to read it', () => {
    const occurrences = fc.array(fc.tuple(fc.option(value, { nil: '' }), encoding), { minLength: 2, maxLength: 4 });
    fc.assert(
      fc.property(name, occurrences, distinctPairs, fc.nat(), (repeated, copies, others, seed) => {
        const rest = others.filter(([n]) => n !== repeated);
        const parts = rest.map(([n, v, how]) => `${encode(n, how)}=${encode(v, how)}`);
        // The copies go anywhere among the others, each spelt its own way (`a`, `%61`, `%61`…).
        for (const [i, [v, how]] of copies.entries()) {
          parts.splice((seed + i * 7) % (parts.length + 1), 0, `${encode(repeated, how)}=${encode(v, how)}`);
        }
        const params = parseParams(parts.join('&'));
        expect(params.isUnreadable(repeated)).toBe(true);
        expectInvalidRequest(() => params.get(repeated));
        expect(Object.hasOwn(params.toObject(), repeated)).toBe(false);
        for (const [n, v] of rest) expect(params.get(n)).toBe(v);
      }),
      propertyRuns(300),
    );
  });

  it('treats an empty value, with or without "=", as absent', () => {
    fc.assert(
      fc.property(name, encoding, fc.boolean(), distinctPairs, (n, how, withEquals, others) => {
        const rest = others.filter(([other]) => other !== n);
        const raw = [
          `${encode(n, how)}${withEquals ? '=' : ''}`,
          ...rest.map(([o, v, h]) => `${encode(o, h)}=${encode(v, h)}`),
        ]
          .sort()
          .join('&');
        const params = parseParams(raw);
        expect(params.get(n)).toBeUndefined();
        expect(params.has(n)).toBe(false);
        expect(params.isUnreadable(n)).toBe(false);
        expect(Object.hasOwn(params.toObject(), n)).toBe(false);
      }),
      propertyRuns(200),
    );
  });

  // Hostile spellings: array and object syntax, prototype names, broken escapes, overlong UTF-8.
  const hostilePiece = fc.constantFrom(
    'a',
    'a[]',
    'a[0]',
    'a[b]',
    '__proto__',
    'constructor',
    'toString',
    '=',
    '&',
    '+',
    '%',
    '%2',
    '%zz',
    '%C0%AF',
    '%ED%A0%80',
    '%FF',
    '%26',
    '%3D',
    '%5B%5D',
    'é',
    '\u{1F600}',
  );
  const hostileQuery = fc.array(hostilePiece, { maxLength: 20 }).map((pieces) => pieces.join(''));
  const probedNames = ['a', 'a[]', 'a[0]', 'a[b]', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];

  it('yields one string or nothing for any name, or refuses the whole input with invalid_request', () => {
    fc.assert(
      fc.property(hostileQuery, (raw) => {
        let params: ReturnType<typeof parseParams>;
        try {
          params = parseParams(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(OAuthError);
          expect((error as OAuthError).code).toBe('invalid_request');
          return;
        }
        for (const n of probedNames) {
          if (params.isUnreadable(n)) {
            expectInvalidRequest(() => params.get(n));
            continue;
          }
          const read = params.get(n);
          expect(read === undefined || (typeof read === 'string' && read !== '')).toBe(true);
        }
        const all = params.toObject();
        expect(Object.getPrototypeOf(all)).toBe(Object.prototype);
        for (const v of Object.values(all)) expect(typeof v).toBe('string');
        expect(Object.keys(Object.prototype)).toEqual([]); // nothing polluted
      }),
      propertyRuns(500),
    );
  });

  it('reads a GET from its raw query and a POST only from a form body, never from pre-parsed arrays', () => {
    const parsedBody = fc.oneof(
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(
        fc.constantFrom('client_id', 'scope', 'a'),
        fc.array(fc.string({ minLength: 1 }), { minLength: 1 }),
      ),
    );
    fc.assert(
      fc.property(parsedBody, name, fc.array(value, { minLength: 2, maxLength: 3 }), (body, n, values) => {
        const post = {
          method: 'POST',
          url: '/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        } as unknown as FastifyRequest;
        // A body that is not the raw form is read as no parameters at all (or refused), never as values.
        let fromPost: ReturnType<typeof requestParams> | undefined;
        try {
          fromPost = requestParams(post);
        } catch (error) {
          expect((error as OAuthError).code).toBe('invalid_request');
        }
        for (const key of ['client_id', 'scope', 'a', n]) expect(fromPost?.get(key)).toBeUndefined();

        // Fastify's own query parser would turn repeats into an array; ours must see the repeat.
        const query = values.map((v) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
        const get = {
          method: 'GET',
          url: `/authorize?${query}`,
          headers: {},
          query: { [n]: values },
        } as unknown as FastifyRequest;
        const fromGet = requestParams(get);
        expect(fromGet.isUnreadable(n)).toBe(true);
        expectInvalidRequest(() => fromGet.get(n));
      }),
      propertyRuns(200),
    );
  });

  // C0 controls (NUL to US) and DEL, raw (a form body can carry them) or percent-encoded.
  const control = fc.integer({ min: 0, max: 0x20 }).map((code) => String.fromCharCode(code === 0x20 ? 0x7f : code));
  const withControl = fc
    .tuple(text({ maxLength: 10 }), control, text({ maxLength: 10 }))
    .map(([before, c, after]) => `${before}${c}${after}`);
  const controlSpelling = fc.constantFrom<Encoding | 'raw'>('raw', 'component', 'every-byte-lower', 'every-byte-upper');
  const spell = (raw: string, how: Encoding | 'raw') =>
    how === 'raw'
      ? raw.replaceAll('%', '%25').replaceAll('&', '%26').replaceAll('=', '%3D').replaceAll('+', '%2B')
      : encode(raw, how);

  it('refuses a value carrying any C0 control character or DEL, raw or percent-encoded', () => {
    fc.assert(
      fc.property(name, withControl, controlSpelling, distinctPairs, (n, v, how, others) => {
        const rest = others.filter(([o]) => o !== n).map(([o, ov, h]) => `${encode(o, h)}=${encode(ov, h)}`);
        const raw = [`${encode(n, 'component')}=${spell(v, how)}`, ...rest].join('&');
        expectInvalidRequest(() => parseParams(raw).get(n));
        expectInvalidRequest(() => queryParams(`/authorize?${raw}`).get(n));
      }),
      propertyRuns(300),
    );
  });

  it('refuses a name carrying a control character, or never exposes it', () => {
    fc.assert(
      fc.property(
        withControl.filter((n) => n !== ''),
        value,
        controlSpelling,
        (n, v, how) => {
          let params: ReturnType<typeof parseParams>;
          try {
            params = parseParams(`${spell(n, how)}=${encode(v, 'component')}`);
          } catch (error) {
            expect(error).toBeInstanceOf(OAuthError);
            expect((error as OAuthError).code).toBe('invalid_request');
            return;
          }
          expectInvalidRequest(() => params.get(n));
          for (const key of Object.keys(params.toObject())) expect(key).not.toMatch(controlCharacter);
        },
      ),
      propertyRuns(200),
    );
  });
});
