import fc from 'fast-check';
import type { FuzzTarget } from './fuzz-targets.js';
import {
  hostileKey,
  hostilePiece,
  hostileValue,
  malformedBasic,
  malformedJwt,
  oddCookie,
  oversizedLength,
  wireEncode,
} from './hostile-values.js';
import type { RawRequest } from './raw-http.js';
import type { Route } from './route-table.js';

/** Parameters whose value is a JWT: a malformed one is their hostile value of choice. */
const jwtParameters = new Set(['id_token_hint', 'logout_token', 'client_assertion', 'subject_token', 'token']);
/** Methods no route of ours registers, and every method some route does. */
const everyMethod = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO'];

type Pair = readonly [string, string];
type BodyShape = 'matching' | 'form' | 'json' | 'multipart' | 'text' | 'oversized' | 'empty' | 'none';

/**
 * Everything about one request except which route it goes to; {@link renderRequest} applies it to a
 * route, so the fuzz loop can walk every route and method in turn with fresh variants. A variant is
 * a legitimate request (real parameter values, the signed-in browser's cookie, `x-csrf`, its own
 * `Origin`) with one to three hostile changes: a request that is hostile everywhere is refused by
 * the first check it meets, and never reaches the code behind it.
 */
export interface HostileVariant {
  method: { wrong: false } | { wrong: true; method: string };
  pathValues: readonly string[];
  encodeStaticSegment: boolean;
  query: readonly Pair[];
  /** Whether a request with a body also has a query (a proxied POST keeps its query string). */
  queryWithBody: boolean;
  fields: readonly Pair[];
  bodyShape: BodyShape;
  oversizedBytes: number;
  /** `matching` the body's shape, `null` for none, or a given one. */
  contentType: string | null;
  headers: readonly Pair[];
}

/** Variants of legitimate requests to one route of an app. */
export function hostileVariant(target: FuzzTarget, route: Route): fc.Arbitrary<HostileVariant> {
  const parameters = hostileParameters(target, route);
  return fc.record({
    method: fc.oneof(
      { arbitrary: fc.constant({ wrong: false as const }), weight: 6 },
      { arbitrary: fc.constantFrom(...everyMethod).map((method) => ({ wrong: true as const, method })), weight: 1 },
    ),
    pathValues: fc.array(pathValue(target), { minLength: 2, maxLength: 2 }),
    // `/%74oken`: the router decodes it to `/token`; every check must see the same route.
    encodeStaticSegment: fc.oneof(
      { arbitrary: fc.constant(false), weight: 9 },
      { arbitrary: fc.constant(true), weight: 1 },
    ),
    query: parameters,
    queryWithBody: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
    fields: parameters,
    bodyShape: fc.oneof(
      { arbitrary: fc.constant<BodyShape>('matching'), weight: 6 },
      { arbitrary: fc.constantFrom<BodyShape>('form', 'json', 'multipart', 'text', 'empty', 'none'), weight: 2 },
      { arbitrary: fc.constant<BodyShape>('oversized'), weight: 1 },
    ),
    oversizedBytes: fc.constantFrom(10 * 1024, 100 * 1024, 1024 * 1024),
    // Mostly the type that fits the body; else none, or one that does not fit (JSON to a form endpoint…).
    contentType: fc.oneof(
      { arbitrary: fc.constant<'matching'>('matching'), weight: 8 },
      { arbitrary: fc.constant(null), weight: 1 },
      {
        arbitrary: fc.constantFrom(
          'application/x-www-form-urlencoded',
          'application/json',
          'multipart/form-data; boundary=fuzz',
          'multipart/form-data',
          'text/plain',
          'application/x-www-form-urlencoded; charset=utf-16',
          'application/json; charset=latin1',
          'application/jwt',
          '*/*',
          'garbage',
          '',
          'application/x-www-form-urlencoded, application/json',
        ),
        weight: 2,
      },
    ),
    headers: hostileHeaders(target),
  });
}

/** The legitimate values for a parameter name; own keys only (a name may well be `__proto__`). */
function knownFor(target: FuzzTarget, key: string): readonly string[] {
  return Object.hasOwn(target.knownValues, key) ? (target.knownValues[key] ?? []) : [];
}

type ParameterChange =
  | { kind: 'value'; at: number; value: string }
  | { kind: 'key'; at: number; key: string }
  | { kind: 'repeat'; at: number; value: string }
  | { kind: 'stray'; key: string; value: string };

/**
 * A legitimate parameter set (the route's own sample mostly, another route's now and then, all of
 * it or a part) with zero to three changes: a value made hostile, a name respelt (`a[]`, `a[b]`), a
 * parameter repeated (`a=1&a=2`), a stray parameter added.
 */
function hostileParameters(target: FuzzTarget, route: Route): fc.Arbitrary<Pair[]> {
  const own = target.samples[route.url] ?? [];
  const all = Object.values(target.samples).flat();
  const keys = Object.keys(target.knownValues).filter((key) => !['*', 'id'].includes(key));
  const jwts = [...knownFor(target, 'id_token_hint'), ...knownFor(target, 'token')];
  const valueFor = (key: string) =>
    jwtParameters.has(key)
      ? fc.oneof(hostileValue(knownFor(target, key)), malformedJwt(jwts))
      : hostileValue(knownFor(target, key));
  const sample = fc
    .oneof(
      { arbitrary: own.length > 0 ? fc.constantFrom(...own) : fc.constantFrom(...all), weight: 4 },
      { arbitrary: fc.constantFrom(...all), weight: 1 },
    )
    .chain((chosen) => {
      const entries = Object.entries(chosen);
      return fc.oneof(
        { arbitrary: fc.constant(entries), weight: 4 },
        { arbitrary: fc.subarray(entries), weight: 1 }, // a required parameter missing
      );
    });
  const change: fc.Arbitrary<ParameterChange> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('value' as const), at: fc.nat(), value: fc.constant('') }), weight: 5 },
    { arbitrary: fc.record({ kind: fc.constant('key' as const), at: fc.nat(), key: fc.constant('') }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), value: fc.constant('') }), weight: 1 },
    {
      arbitrary: fc
        .constantFrom(...keys)
        .chain((key) => valueFor(key).map((value) => ({ kind: 'stray' as const, key, value }))),
      weight: 1,
    },
  );
  const changes = fc.oneof(
    { arbitrary: fc.array(change, { minLength: 1, maxLength: 1 }), weight: 5 },
    { arbitrary: fc.array(change, { minLength: 2, maxLength: 3 }), weight: 2 },
    { arbitrary: fc.constant([]), weight: 1 },
  );
  return fc.tuple(sample, changes).chain(([entries, planned]) => {
    const base = entries.map(([key, value]): Pair => [key, wireEncode(value)]);
    // Resolve each change against the sample's parameters, drawing a hostile value or spelling for that name.
    const resolved = planned.map((c): fc.Arbitrary<ParameterChange> => {
      if (c.kind === 'stray' || base.length === 0) return fc.constant(c);
      const [key] = base[c.at % base.length] as Pair;
      if (c.kind === 'key') return hostileKey(key).map((respelt) => ({ ...c, key: respelt }));
      return valueFor(key).map((value) => ({ ...c, value }));
    });
    return fc.tuple(...resolved).map((applied) => {
      const pairs: Pair[] = [...base];
      for (const c of applied) {
        if (c.kind === 'stray') {
          pairs.push([c.key, c.value]);
          continue;
        }
        const original = pairs[c.at % Math.max(base.length, 1)];
        if (!original) continue;
        if (c.kind === 'value') pairs[c.at % base.length] = [original[0], c.value];
        if (c.kind === 'key') pairs[c.at % base.length] = [c.key, original[1]];
        if (c.kind === 'repeat') pairs.push([original[0], c.value]);
      }
      return pairs;
    });
  });
}

function pathValue(target: FuzzTarget): fc.Arbitrary<string> {
  const known = [...knownFor(target, 'id'), ...knownFor(target, 'interaction'), ...knownFor(target, '*')];
  return fc.oneof(
    { arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant('x'), weight: 6 },
    { arbitrary: hostileValue(known), weight: 3 },
    {
      arbitrary: fc.constantFrom(
        '..%2F..%2Fbff%2Fuser',
        '%2e%2e/%2e%2e/bff/user',
        'a%2Fb',
        'a/../../b',
        '.',
        '..',
        '%2F',
        '%5C',
        '/',
        '//',
      ),
      weight: 1,
    },
    { arbitrary: oversizedLength.map((length) => 'p'.repeat(Math.min(length, 10_000))), weight: 1 },
  );
}

type HeaderName =
  | 'Authorization'
  | 'DPoP'
  | 'Cookie'
  | 'Origin'
  | 'Sec-Fetch-Site'
  | 'x-csrf'
  | 'Accept'
  | 'Expect'
  | 'X-Forwarded-For';

/**
 * What a legitimate caller sends (the app's cookie, `x-csrf: 1`, its own `Origin`, a real
 * `Authorization` where there is one), with zero to two headers made hostile, added or dropped.
 */
function hostileHeaders(target: FuzzTarget): fc.Arbitrary<Pair[]> {
  const jwts = [...knownFor(target, 'id_token_hint'), ...knownFor(target, 'token')];
  const jwt = malformedJwt(jwts);
  const pick = (values: readonly string[], fallback: string) =>
    values.length > 0 ? fc.constantFrom(...values) : fc.constant(fallback);
  const hostile: Record<HeaderName, fc.Arbitrary<string>> = {
    Authorization: fc.oneof(
      { arbitrary: jwt.map((token) => `Bearer ${token}`), weight: 3 },
      { arbitrary: malformedBasic(knownFor(target, 'client_id')), weight: 3 },
      { arbitrary: jwt.map((token) => `DPoP ${token}`), weight: 1 },
      {
        arbitrary: fc.constantFrom('Bearer', 'Bearer  ', 'bearer a', 'Negotiate abc', `Bearer ${'a'.repeat(20_000)}`),
        weight: 1,
      },
    ),
    DPoP: jwt,
    Cookie: oddCookie(target.cookies),
    Origin: fc.constantFrom('null', 'https://evil.test', 'http://127.0.0.1:1', '%zz', `${target.origin}.evil.test`),
    'Sec-Fetch-Site': fc.constantFrom('cross-site', 'same-site', 'none', '\xff'),
    'x-csrf': fc.constantFrom('0', '1, 1', ''),
    Accept: fc.constantFrom('text/html', '*/*', 'text/html;q=0.9, */*;q=0.1', '\xe9'),
    Expect: fc.constantFrom('100-continue', 'something-else'),
    'X-Forwarded-For': fc.oneof(hostilePiece, fc.constantFrom('1.2.3.4, 5.6.7.8', 'unknown')),
  };
  const names = Object.keys(hostile) as HeaderName[];
  const change = fc.oneof(
    {
      arbitrary: fc
        .constantFrom(...names)
        .chain((name) => hostile[name].map((value) => ({ name, action: 'set' as const, value }))),
      weight: 4,
    },
    // Dropped: the CSRF header, the cookie or the credentials a check expects.
    { arbitrary: fc.constantFrom(...names).map((name) => ({ name, action: 'drop' as const, value: '' })), weight: 1 },
    // Sent twice: two Authorization or Cookie headers.
    {
      arbitrary: fc
        .constantFrom<HeaderName>('Authorization', 'Cookie', 'x-csrf')
        .map((name) => ({ name, action: 'repeat' as const, value: '' })),
      weight: 1,
    },
  );
  return fc
    .tuple(
      pick(target.cookies, ''),
      pick(target.authorizations, ''),
      fc.boolean(),
      fc.oneof(
        { arbitrary: fc.constant([]), weight: 2 },
        { arbitrary: fc.array(change, { minLength: 1, maxLength: 2 }), weight: 3 },
      ),
    )
    .map(([cookie, authorization, withAuthorization, changes]) => {
      const headers = new Map<HeaderName, string[]>([
        ['Cookie', cookie ? [cookie] : []],
        ['Authorization', withAuthorization && authorization ? [authorization] : []],
        ['Origin', [target.origin]],
        ['x-csrf', ['1']],
        ['Accept', ['application/json']],
      ]);
      for (const { name, action, value } of changes) {
        const current = headers.get(name) ?? [];
        if (action === 'drop') headers.delete(name);
        if (action === 'repeat') headers.set(name, [...current, current[0] ?? 'x']);
        if (action === 'set') headers.set(name, [value]);
      }
      // Header values never carry CR/LF here (that would forge headers, not send a hostile value).
      return [...headers].flatMap(([name, values]) =>
        values.map((value): Pair => [name, value.replace(/[\r\n]/g, '')]),
      );
    });
}

/** The request a variant makes of one route and method: path params filled, parameters placed, body shaped. */
export function renderRequest(target: FuzzTarget, route: Route, method: string, variant: HostileVariant): RawRequest {
  const chosenMethod = variant.method.wrong ? variant.method.method : method;
  let param = 0;
  const path = route.url
    .split('/')
    .map((segment, index) => {
      if (segment.startsWith(':') || segment === '*')
        return variant.pathValues[param++ % variant.pathValues.length] ?? 'x';
      if (variant.encodeStaticSegment && index === 1 && segment.length > 0) {
        return `%${segment.charCodeAt(0).toString(16)}${segment.slice(1)}`;
      }
      return segment;
    })
    .join('/');
  const readsBody = !['GET', 'HEAD', 'OPTIONS'].includes(chosenMethod);
  // Parameters go where the method carries them; a body-less request has them in the query.
  const query = readsBody && !variant.queryWithBody ? [] : variant.query;
  const queryString = query.map(([key, value]) => `${key}=${value}`).join('&');
  const requestTarget = `${path || '/'}${queryString ? `?${queryString}` : ''}`.replace(/[\r\n ]/g, '%20');
  const shape =
    variant.bodyShape === 'matching' ? (target.name === 'authorization-server' ? 'form' : 'json') : variant.bodyShape;
  const sendsBody = readsBody || shape === 'oversized';
  const { body, contentType } = sendsBody ? shapeBody(shape, variant) : { body: undefined, contentType: undefined };
  const headers: Pair[] = [...variant.headers];
  const type = variant.contentType === 'matching' ? contentType : variant.contentType;
  if (typeof type === 'string' && body !== undefined) headers.push(['Content-Type', type]);
  return { method: chosenMethod, target: requestTarget, headers, body };
}

function shapeBody(
  shape: Exclude<BodyShape, 'matching'>,
  variant: HostileVariant,
): { body: Buffer | undefined; contentType: string | undefined } {
  const form = variant.fields.map(([key, value]) => `${key}=${value}`).join('&');
  switch (shape) {
    case 'form':
      return { body: Buffer.from(form, 'latin1'), contentType: 'application/x-www-form-urlencoded' };
    case 'json':
      return { body: Buffer.from(jsonOf(variant.fields), 'utf8'), contentType: 'application/json' };
    case 'multipart': {
      const parts = variant.fields.map(
        ([key, value]) => `--fuzz\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`,
      );
      return {
        body: Buffer.from(`${parts.join('')}--fuzz--\r\n`, 'latin1'),
        contentType: 'multipart/form-data; boundary=fuzz',
      };
    }
    case 'text':
      return { body: Buffer.from(form, 'latin1'), contentType: 'text/plain' };
    case 'oversized':
      return {
        body: Buffer.from(`a=${'a'.repeat(variant.oversizedBytes)}`, 'latin1'),
        contentType: 'application/x-www-form-urlencoded',
      };
    case 'empty':
      return { body: Buffer.alloc(0), contentType: 'application/x-www-form-urlencoded' };
    case 'none':
      return { body: undefined, contentType: undefined };
  }
}

/** The fields as a JSON object (values decoded where they can be), now and then nested deep or polluting. */
function jsonOf(fields: readonly Pair[]): string {
  const decode = (value: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  };
  // `true`, `false` and small integers as JSON literals, so a schema expecting them is passed.
  const literal = (value: string) => (/^(true|false|-?\d{1,6})$/.test(value) ? value : JSON.stringify(value));
  const members = fields.map(([key, value]) => `${JSON.stringify(decode(key))}:${literal(decode(value))}`);
  if (fields.length % 7 === 6) return `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
  if (fields.length % 7 === 5) return `{"__proto__":{"polluted":true},${members.join(',')}}`;
  return `{${members.join(',')}}`;
}
