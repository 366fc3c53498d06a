import { propertyRuns } from '@gatehouse/test-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReturnUrl } from '../../src/routes/return-url.js';

// SECURITY.md §5: `returnUrl` is a same-origin path only. Whatever string an attacker puts in
// `/bff/login?returnUrl=`, what comes out is either nothing or a path that, resolved against the BFF's
// origin, stays on it — and stays on it when something downstream decodes it once more.

const origins = ['https://bff.test', 'http://127.0.0.1:8080', 'https://app.example.com:8443'];
/** C0, DEL, C1 and every Unicode whitespace: none may reach a path, a Location or an HTML attribute. */
const unsafeCharacter = /[\u0000-\u0020\u007f-\u009f\s]/;

/** Asserts what every accepted value must be. */
function expectSameOriginPath(returnUrl: string): void {
  expect(returnUrl.startsWith('/')).toBe(true);
  expect(returnUrl).not.toMatch(unsafeCharacter);
  expect(returnUrl.length).toBeLessThanOrEqual(2048);
  const decoded = decodeURIComponent(returnUrl);
  for (const origin of origins) {
    expect(new URL(returnUrl, origin).origin).toBe(origin);
    expect(new URL(decoded, origin).origin).toBe(origin);
  }
}

// Pieces of open-redirect payloads: slashes and backslashes raw and encoded, schemes, hosts, dots,
// whitespace and controls raw and encoded, Unicode look-alikes of "/" and "\".
const piece = fc.constantFrom(
  '/',
  '//',
  '\\',
  '/\\',
  '\\\\',
  '%2F',
  '%2f',
  '%5C',
  '%5c',
  '%252F',
  '%255C',
  '%2F%2F',
  '/%2F',
  '/%5C',
  'http:',
  'https:',
  'javascript:',
  'data:',
  'JaVaScRiPt:',
  'evil.test',
  '@',
  ':',
  '.',
  '..',
  '%2e',
  '%2E%2E',
  '?',
  '#',
  '&',
  'a',
  '%',
  '%25',
  '%zz',
  '%E0%A4%A',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\ufeff',
  '%09',
  '%0a',
  '%0D%0A',
  '%00',
  '%7F',
  '%C2%85',
  '%C2%A0',
  '%E2%80%A8',
  '\uff0f',
  '\u2215',
  '\u2044',
  '\ufe68',
  '\uff3c',
  '%EF%BC%8F',
  'é',
  '\u{1F600}',
);
const adversarial = fc
  .tuple(fc.constantFrom('/', '', '//', '\\', ' ', '%2F', 'https:'), fc.array(piece, { maxLength: 12 }))
  .map(([start, pieces]) => start + pieces.join(''));

/** Text that may appear, percent-encoded, in a path segment or query of a legitimate local URL. */
const segmentText = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 12 })
  .filter((text) => !/[/\\]/.test(text) && !unsafeCharacter.test(text));
const localPath = fc
  .record({
    segments: fc.array(fc.oneof(segmentText.map(encodeURIComponent), fc.constantFrom('.', '..')), {
      minLength: 1,
      maxLength: 5,
    }),
    query: fc.option(
      fc
        .array(fc.tuple(segmentText, segmentText), { minLength: 1, maxLength: 3 })
        .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
      { nil: undefined },
    ),
    fragment: fc.option(segmentText.map(encodeURIComponent), { nil: undefined }),
  })
  .map(
    ({ segments, query, fragment }) =>
      `/${segments.join('/')}${query === undefined ? '' : `?${query}`}${fragment === undefined ? '' : `#${fragment}`}`,
  );

describe('returnUrl (property)', () => {
  it('accepts only same-origin paths, returned unchanged, for any adversarial string', () => {
    fc.assert(
      fc.property(adversarial, (candidate) => {
        const accepted = parseReturnUrl(candidate);
        if (accepted === undefined) return;
        expect(accepted).toBe(candidate);
        expectSameOriginPath(accepted);
      }),
      propertyRuns(3000),
    );
  });

  it('accepts only same-origin paths for arbitrary Unicode strings and never throws on any value', () => {
    const anyValue = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }).map((text) => `/${text}`),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.anything(),
    );
    fc.assert(
      fc.property(anyValue, (candidate) => {
        const accepted = parseReturnUrl(candidate);
        if (accepted === undefined) return;
        expect(accepted).toBe(candidate);
        expectSameOriginPath(accepted);
      }),
      propertyRuns(1000),
    );
  });

  it('refuses any value that would leave the origin when resolved, as given or decoded once', () => {
    fc.assert(
      fc.property(adversarial, (candidate) => {
        let leaves = false;
        try {
          const decoded = decodeURIComponent(candidate);
          leaves = origins.some(
            (origin) => new URL(candidate, origin).origin !== origin || new URL(decoded, origin).origin !== origin,
          );
        } catch {
          leaves = false; // not a URL at all, or malformed encoding: covered by the other properties
        }
        if (leaves) expect(parseReturnUrl(candidate)).toBeUndefined();
      }),
      propertyRuns(2000),
    );
  });

  it('accepts every ordinary local path, query and fragment unchanged', () => {
    fc.assert(
      fc.property(localPath, (path) => {
        expect(parseReturnUrl(path)).toBe(path);
      }),
      propertyRuns(500),
    );
  });
});
