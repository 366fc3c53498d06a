import fc from 'fast-check';

// Values as they go on the wire, in Latin-1 strings (one char = one byte): percent-encoding is
// generated, not applied, so a value can be `%zz` or an overlong `%C0%AF` exactly as an attacker
// would send it. Raw CR and LF are never generated inside a target or a header (they would end the
// line and make another request, not a hostile value); their encoded forms are.

const hex = (code: number) => code.toString(16).toUpperCase().padStart(2, '0');
const controlCodes = [...Array.from({ length: 32 }, (_, code) => code), 0x7f];

/** `%00`…`%1F` and `%7F`, in either hex case. */
export const encodedControl = fc
  .tuple(fc.constantFrom(...controlCodes), fc.boolean())
  .map(([code, lower]) => (lower ? `%${hex(code).toLowerCase()}` : `%${hex(code)}`));

/** A raw control byte (no CR/LF): for bodies and for testing the HTTP parser itself. */
export const rawControl = fc
  .constantFrom(...controlCodes.filter((code) => code !== 10 && code !== 13))
  .map((code) => String.fromCharCode(code));

export const invalidPercentEncoding = fc.constantFrom('%zz', '%', '%4', '%G1', '%%', '%u0041', '%-1', '%+1', 'a%');

/** Overlong, surrogate, truncated and out-of-range UTF-8, percent-encoded — and a few raw bytes. */
export const invalidUtf8 = fc.constantFrom(
  '%C0%AF',
  '%C0%80',
  '%E0%80%AF',
  '%F0%80%80%AF',
  '%ED%A0%80',
  '%FF',
  '%FE%FF',
  '%C3',
  '%80',
  '%F4%90%80%80',
  '%C2%85', // a C1 control: valid UTF-8, still no character for an identifier
  '\xC0\xAF',
  '\xFF',
  '\x80',
);

export const injectionProbe = fc.constantFrom(
  '%0D%0ASet-Cookie:%20injected=1',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '%22%3E%3Csvg%20onload%3D1%3E',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f',
  '%2F%2Fevil.test',
  '%5C%5Cevil.test',
  'javascript:alert(1)',
  'http%3A%2F%2Fevil.test%2F',
  '%24%7B7*7%7D',
  "'%20OR%201%3D1--",
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x1F',
  '%5B%5D',
  '%7B%7D',
  '%EF%BB%BF',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '%C2%A0',
  '+',
  '%2B',
  '%20',
  '%25zz',
  '%2525',
);

/** Lengths around the limits: an identifier of 600, a state of 2 KB, 8 KB + 1, 10 KB, 100 KB. */
export const oversizedLength = fc.constantFrom(300, 513, 600, 2_100, 8_193, 10_240, 100_000);

export const oversized = fc
  .tuple(oversizedLength, fc.constantFrom('a', '%41', '%00', '%C3%A9', '.'))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

/** One hostile piece of a value. */
export const hostilePiece = fc.oneof(
  { arbitrary: encodedControl, weight: 4 },
  { arbitrary: invalidPercentEncoding, weight: 3 },
  { arbitrary: invalidUtf8, weight: 3 },
  { arbitrary: injectionProbe, weight: 2 },
  { arbitrary: rawControl, weight: 1 },
);

/** A legitimate value as a browser would encode it. */
export const wireEncode = (value: string) => encodeURIComponent(value);

/**
 * A hostile value for a parameter: a legitimate one with something spliced in (so a check that looks
 * only at the start of the value is passed), hostile pieces alone, oversized, or empty.
 */
export function hostileValue(known: readonly string[]): fc.Arbitrary<string> {
  const good = known.length > 0 ? fc.constantFrom(...known.map(wireEncode)) : fc.constant('x');
  const spliced = fc
    .tuple(good, fc.array(hostilePiece, { minLength: 1, maxLength: 2 }), fc.constantFrom('start', 'middle', 'end'))
    .map(([value, pieces, where]) => {
      const inserted = pieces.join('');
      if (where === 'start') return inserted + value;
      if (where === 'end') return value + inserted;
      const at = Math.floor(value.length / 2);
      return value.slice(0, at) + inserted + value.slice(at);
    });
  return fc.oneof(
    { arbitrary: spliced, weight: 5 },
    { arbitrary: fc.array(hostilePiece, { minLength: 1, maxLength: 3 }).map((pieces) => pieces.join('')), weight: 2 },
    { arbitrary: oversized, weight: 2 },
    { arbitrary: fc.constant(''), weight: 1 },
  );
}

/** Another spelling of a parameter name: array and object styles (`a[]`, `a[b]`), pollution, hostile bytes. */
export function hostileKey(key: string): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(`${key}[]`, `${key}%5B%5D`, `${key}[b]`, `${key}[0]`, `${key}.b`), weight: 3 },
    {
      arbitrary: fc.constantFrom('__proto__', 'constructor[prototype][polluted]', '__proto__[polluted]', '', 'a.b'),
      weight: 1,
    },
    { arbitrary: hostilePiece.map((piece) => key + piece), weight: 1 },
  );
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const jsonSegment = (value: unknown) => base64url(JSON.stringify(value));

/** JWTs that must be refused with a 4xx: wrong segment counts, bad base64url, non-JSON, `alg: none`, huge. */
export function malformedJwt(realJwts: readonly string[]): fc.Arbitrary<string> {
  const header = jsonSegment({ alg: 'ES256', typ: 'at+jwt', kid: 'k' });
  const payload = jsonSegment({ iss: 'x', sub: 'y', aud: 'z', exp: 9_999_999_999, iat: 1 });
  const fixed = fc.constantFrom(
    'a',
    'a.b',
    'a.b.c.d',
    'a.b.c.d.e',
    '..',
    '.',
    '',
    `${header}.${payload}`,
    `${header}.${payload}.`,
    `${header}.${payload}.!!!`,
    `!!!.${payload}.sig`,
    `${base64url('not json')}.${payload}.sig`,
    `${jsonSegment([1, 2])}.${payload}.sig`,
    `${header}.${jsonSegment([1])}.sig`,
    `${header}.${jsonSegment('string')}.sig`,
    `${header}.${jsonSegment({ exp: 'tomorrow', iat: 'now', sub: 1 })}.sig`,
    `${header}.${base64url('{"sub":')}.sig`,
    `${jsonSegment({ alg: 'none' })}.${payload}.`,
    `${jsonSegment({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    `${jsonSegment({ alg: 'HS256', typ: 'at+jwt' })}.${payload}.c2ln`,
    `${jsonSegment({ alg: 'ES256', crit: ['x'], x: 1 })}.${payload}.sig`,
    `${jsonSegment({ alg: 'ES256', jku: 'http://evil.test/jwks', kid: 'evil' })}.${payload}.sig`,
    `${jsonSegment({ alg: 'ES256', kid: '../../../etc/passwd' })}.${payload}.sig`,
    `${jsonSegment({ alg: 'ES256', kid: '\u0000' })}.${payload}.sig`,
    `${jsonSegment({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`,
    `${base64url('\u00ff\u00fe')}.${payload}.sig`,
    `${header}.${payload}.${'A'.repeat(3)}`,
    `${'e'.repeat(20_000)}.${payload}.sig`,
    `${jsonSegment({ alg: 'ES256', pad: 'x'.repeat(9_000) })}.${payload}.sig`,
  );
  const tamperedReal =
    realJwts.length === 0
      ? fixed
      : fc
          .tuple(fc.constantFrom(...realJwts), fc.nat(), fc.constantFrom('A', '_', '-', '.', '%'))
          .map(([jwt, at, char]) => {
            const index = at % jwt.length;
            return jwt.slice(0, index) + char + jwt.slice(index + 1);
          });
  return fc.oneof({ arbitrary: fixed, weight: 4 }, { arbitrary: tamperedReal, weight: 1 });
}

/** `Authorization: Basic …` values that must be refused: no colon, bad base64, bad percent-encoding, controls, huge. */
export function malformedBasic(clientIds: readonly string[]): fc.Arbitrary<string> {
  const encode = (credentials: string) => Buffer.from(credentials, 'latin1').toString('base64');
  const user = clientIds.length > 0 ? fc.constantFrom(...clientIds) : fc.constant('client');
  return fc.oneof(
    fc.constantFrom(
      'Basic',
      'Basic ',
      'Basic !!!!',
      'Basic ====',
      'Basic YQ',
      'Basic YTpi YTpi',
      `Basic ${encode('no-colon-here')}`,
      `Basic ${encode(':')}`,
      `Basic ${encode('::::')}`,
      `Basic ${encode('%zz:secret')}`,
      `Basic ${encode('client:%zz')}`,
      `Basic ${encode('%C0%AF:secret')}`,
      `Basic ${encode('\u0000:')}`,
      `Basic ${encode('%00:secret')}`,
      `Basic ${encode('\xff\xfe:\xff')}`,
      `Basic ${'A'.repeat(12_000)}`,
      `basic ${encode('a:b')}`,
      `BASIC  ${encode('a:b')}`,
    ),
    fc
      .tuple(user, fc.oneof(encodedControl, rawControl, invalidPercentEncoding, invalidUtf8), fc.boolean())
      .map(([id, piece, inUser]) => `Basic ${encode(inUser ? `${id}${piece}:secret` : `${id}:secret${piece}`)}`),
    oversizedLength.map((length) => `Basic ${encode(`${'c'.repeat(Math.min(length, 9_000))}:secret`)}`),
  );
}

/** `Cookie` headers a browser would not send: tampered, duplicated, nameless, huge, with odd bytes. */
export function oddCookie(realCookies: readonly string[]): fc.Arbitrary<string> {
  const real = realCookies.length > 0 ? fc.constantFrom(...realCookies) : fc.constant('a=b');
  return fc.oneof(
    fc.constantFrom(
      'a',
      '=',
      '=value',
      ';;;',
      'a=b; a=c',
      '__Host-gh-session=',
      '__Host-gh-session=%zz',
      '__Host-gh-session="quoted"',
      `__Host-gh-session=${'A'.repeat(4_000)}`,
      `__Host-gh-as-session=${'A'.repeat(12_000)}`,
      '__Host-gh-as-session=a.b.c',
      '__Host-gh-as-interaction=\x80\xff',
      Array.from({ length: 150 }, (_, i) => `c${i}=v`).join('; '),
    ),
    fc.tuple(real, fc.nat(), fc.constantFrom('A', '%', '.', '"', ';', '\x7f', '\xe9')).map(([cookie, at, char]) => {
      const index = at % cookie.length;
      return cookie.slice(0, index) + char + cookie.slice(index + 1);
    }),
    real.map((cookie) => `${cookie}; ${cookie}`),
    fc.tuple(real, fc.oneof(encodedControl, invalidUtf8)).map(([cookie, piece]) => `${cookie}${piece}`),
  );
}
