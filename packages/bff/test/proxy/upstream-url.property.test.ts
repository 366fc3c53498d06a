import { propertyRuns } from '@gatehouse/test-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { upstreamUrl } from '../../src/proxy/upstream-url.js';

// SECURITY.md §5: the proxy's target host never comes from the request, and no traversal or
// encoded-slash probe leaves the route's target prefix. "Leaves" is judged the way the next hop may
// read the path: as a WHATWG URL, and after one more percent-decoding (an upstream framework, or a
// gateway in front of it, decodes once and resolves the result).

const segment = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,6}$/);
const routePath = fc.array(segment, { minLength: 1, maxLength: 2 }).map((segments) => `/${segments.join('/')}`);
const target = fc
  .record({
    origin: fc.constantFrom('http://api.internal:5000', 'https://api.example.test', 'http://127.0.0.1:8081'),
    prefix: fc.array(segment, { maxLength: 2 }),
    trailingSlash: fc.boolean(),
  })
  .map(({ origin, prefix, trailingSlash }) => ({
    url: `${origin}${prefix.length ? `/${prefix.join('/')}` : ''}${trailingSlash ? '/' : ''}`,
    origin,
    prefixPath: prefix.length ? `/${prefix.join('/')}` : '',
  }));

// Traversal material: dot segments raw and encoded (single, mixed, double, overlong UTF-8), slashes and
// backslashes raw and encoded, NUL, path parameters, and harmless text around them.
const piece = fc.constantFrom(
  '/',
  '//',
  '.',
  '..',
  '...',
  '/./',
  '/../',
  '%2e',
  '%2E',
  '.%2e',
  '%2e%2e',
  '%252e',
  '%252e%252e',
  '%25252e',
  '%c0%ae',
  '%2f',
  '%2F',
  '%252f',
  '%5c',
  '%5C',
  '%255c',
  '\\',
  '%00',
  '%3b',
  ';',
  '..;',
  '%25',
  '%',
  '?',
  '#',
  '&',
  '@',
  ':',
  'a',
  'admin',
  'é',
  '\uff0e',
);
const suffix = fc.oneof(
  fc.array(piece, { maxLength: 10 }).map((pieces) => pieces.join('')),
  // Segment by segment, so that a whole segment is often one dot-like spelling.
  fc
    .array(
      fc.array(piece, { minLength: 1, maxLength: 2 }).map((pieces) => pieces.join('')),
      { minLength: 1, maxLength: 4 },
    )
    .map((segments) => `/${segments.join('/')}`),
);
const query = fc.option(fc.constantFrom('?x=1', '?next=/../../admin', '?a=%2F%2E%2E', '?', '?%252e=1'), { nil: '' });

/** Lenient percent-decoding, byte-wise as a server would (invalid sequences kept as they are). */
function decodeOnce(path: string): string {
  return path.replace(/(%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function isBelow(path: string, prefixPath: string): boolean {
  return prefixPath === '' || path === prefixPath || path.startsWith(`${prefixPath}/`);
}

describe('proxy upstream URL (property)', () => {
  it('always targets the route origin, below the target prefix, however the path is spelt', () => {
    fc.assert(
      fc.property(routePath, target, suffix, query, (path, { url, origin, prefixPath }, rest, q) => {
        const raw = `${path}${rest}${q}`;
        const result = upstreamUrl(path, url, raw);
        if (result === undefined) return;
        const resolved = new URL(result);
        expect(resolved.origin).toBe(origin);
        expect(isBelow(resolved.pathname, prefixPath)).toBe(true);
        // The query goes through byte for byte and plays no part in the path.
        expect(result.endsWith(`${raw.slice(path.length)}`)).toBe(true);
      }),
      propertyRuns(3000),
    );
  });

  it('stays below the target prefix for an upstream that decodes the path once more and resolves it', () => {
    fc.assert(
      fc.property(routePath, target, suffix, (path, { url, origin, prefixPath }, rest) => {
        const result = upstreamUrl(path, url, `${path}${rest}`);
        if (result === undefined) return;
        const resolved = new URL(result);
        // The decoded text is the path of a request to the same server, not a reference to resolve.
        const reread = new URL(`${origin}${decodeOnce(resolved.pathname)}`);
        expect(reread.origin).toBe(origin);
        expect(isBelow(reread.pathname, prefixPath)).toBe(true);
      }),
      propertyRuns(3000),
    );
  });

  it('stays below the target prefix for an upstream that drops path parameters (";") before resolving', () => {
    fc.assert(
      fc.property(routePath, target, suffix, (path, { url, origin, prefixPath }, rest) => {
        const result = upstreamUrl(path, url, `${path}${rest}`);
        if (result === undefined) return;
        // Servlet containers drop `;params` from each segment, then resolve dots: `..;` is `..`.
        const stripped = new URL(result).pathname
          .split('/')
          .map((segment) => segment.split(';')[0])
          .join('/');
        expect(isBelow(new URL(`${origin}${stripped}`).pathname, prefixPath)).toBe(true);
      }),
      propertyRuns(3000),
    );
  });

  it('refuses any path that is not the route path or below it at a segment boundary', () => {
    fc.assert(
      fc.property(routePath, target, fc.string({ unit: 'binary', maxLength: 30 }), (path, { url }, raw) => {
        const candidate = `/${raw}`;
        fc.pre(candidate !== path && !candidate.startsWith(`${path}/`) && !candidate.startsWith(`${path}?`));
        expect(upstreamUrl(path, url, candidate)).toBeUndefined();
      }),
      propertyRuns(1000),
    );
  });

  it('passes an ordinary path and query through to the target prefix byte for byte', () => {
    const ordinary = fc.array(fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,8}$/), { maxLength: 4 });
    fc.assert(
      fc.property(routePath, target, ordinary, query, (path, { url }, segments, q) => {
        const rest = segments.map((s) => `/${s}`).join('');
        fc.pre(!segments.some((s) => s === '.' || s === '..'));
        expect(upstreamUrl(path, url, `${path}${rest}${q}`)).toBe(`${url.replace(/\/+$/, '')}${rest}${q}`);
      }),
      propertyRuns(500),
    );
  });
});
