import { propertyRuns } from '@gatehouse/test-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAuthorizedUrl } from '../../src/public-client/authorized-urls.js';

// SECURITY.md §7: the authorized fetch attaches the access token only to a URL with the prefix's
// origin and a path that continues the prefix's path at a segment boundary (`/v1` covers `/v1/x`,
// never `/v10` or `/v1x`) — judged on the URL the browser will request, after its own parsing.

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
const prefixSpec = fc.record({
  scheme: fc.constantFrom('https', 'http'),
  host: fc.array(label, { minLength: 1, maxLength: 2 }).map((labels) => `${labels.join('.')}.test`),
  port: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
  segments: fc.array(label, { maxLength: 2 }),
  trailingSlash: fc.boolean(),
});
type PrefixSpec = typeof prefixSpec extends fc.Arbitrary<infer T> ? T : never;
const originOf = (p: PrefixSpec) => `${p.scheme}://${p.host}${p.port === undefined ? '' : `:${p.port}`}`;
const pathOf = (p: PrefixSpec) => `${p.segments.map((s) => `/${s}`).join('')}${p.trailingSlash ? '/' : ''}`;
const prefixUrl = (p: PrefixSpec) => new URL(`${originOf(p)}${pathOf(p)}`);

/** The rule, stated independently: same origin, and the prefix's segments begin the URL's segments. */
function shouldAttach(url: URL, prefix: URL): boolean {
  if (url.protocol !== prefix.protocol || url.hostname !== prefix.hostname || url.port !== prefix.port) return false;
  const wanted = prefix.pathname.replace(/\/+$/, '').split('/');
  const have = url.pathname.split('/');
  return wanted.every((segment, i) => have[i] === segment);
}

// What an attacker-influenced URL may append to, or change in, a prefix.
const pathPiece = fc.constantFrom(
  '/',
  '//',
  'x',
  '0',
  '/x',
  '.',
  '..',
  '/..',
  '/../',
  '%2e%2e',
  '/%2e%2e/',
  '%2F',
  '%2f..',
  '\\',
  '\\..\\',
  ';',
  '?',
  '#',
  '@',
  ':',
  '%00',
  '\t',
);
const hostChange = fc.constantFrom(
  (o: string) => `${o}.evil.test`,
  (o: string) => `${o}@evil.test`,
  (o: string) => `${o}:@evil.test`,
  (o: string) => o.replace('://', '://x'),
  (o: string) => o.replace('://', '://evil.test#'),
  (o: string) => o.replace('://', '://evil.test?'),
  (o: string) => o.replace('://', '://user:pass@'),
  (o: string) => o.toUpperCase(),
  (o: string) => o.replace('https:', 'http:'),
  (o: string) => o.replace('http:', 'https:'),
  (o: string) => `${o.replace(/:\d+$/, '')}:1`,
  (o: string) => `${o.replace(/:\d+$/, '')}:443`,
  (o: string) => `${o.replace(/:\d+$/, '')}:80`,
  (o: string) => o.replace('a', '\u0430'), // Cyrillic "а"
  (o: string) => `${o}.`,
  (o: string) => o,
);
const candidate = fc
  .tuple(prefixSpec, hostChange, fc.array(pathPiece, { maxLength: 6 }))
  .map(([spec, change, pieces]) => ({ spec, raw: `${change(originOf(spec))}${pathOf(spec)}${pieces.join('')}` }));

function parse(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

describe('authorized URLs (property)', () => {
  it('attaches the token exactly when the origin matches and the path continues at a segment boundary', () => {
    fc.assert(
      fc.property(candidate, ({ spec, raw }) => {
        const url = parse(raw);
        fc.pre(url !== undefined);
        if (!url) return;
        const prefix = prefixUrl(spec);
        expect(isAuthorizedUrl(url, [prefix]), `${url.href} under ${prefix.href}`).toBe(shouldAttach(url, prefix));
        if (isAuthorizedUrl(url, [prefix])) expect(url.origin).toBe(prefix.origin);
      }),
      propertyRuns(3000),
    );
  });

  it('never attaches it to an arbitrary URL outside every prefix', () => {
    fc.assert(
      fc.property(
        fc.array(prefixSpec, { minLength: 1, maxLength: 3 }),
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        (specs, raw) => {
          const prefixes = specs.map(prefixUrl);
          const url = new URL(raw);
          expect(isAuthorizedUrl(url, prefixes)).toBe(prefixes.some((prefix) => shouldAttach(url, prefix)));
        },
      ),
      propertyRuns(500),
    );
  });

  it('attaches it to every URL below a prefix, with any query and fragment', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_~-]{1,8}$/);
    fc.assert(
      fc.property(
        prefixSpec,
        fc.array(segment, { maxLength: 4 }),
        fc.constantFrom('', '?x=1', '#f', '?a=/../b#c'),
        (spec, segments, tail) => {
          const base = `${originOf(spec)}${pathOf(spec).replace(/\/+$/, '')}`;
          const url = new URL(`${base}${segments.map((s) => `/${s}`).join('')}${tail}`);
          expect(isAuthorizedUrl(url, [prefixUrl(spec)])).toBe(true);
        },
      ),
      propertyRuns(300),
    );
  });
});
