import { describe, expect, it } from 'vitest';
import { isAuthorizedUrl } from '../../src/public-client/authorized-urls.js';

const prefixes = [new URL('https://api.test/v1'), new URL('https://files.test/')];
const allowed = (url: string) => isAuthorizedUrl(new URL(url), prefixes);

describe('authorized URLs', () => {
  it.each(['https://api.test/v1', 'https://api.test/v1/', 'https://api.test/v1/todos?x=1', 'https://files.test/a/b'])(
    'attaches the token to %s',
    (url) => {
      expect(allowed(url)).toBe(true);
    },
  );

  it.each([
    ['a longer segment', 'https://api.test/v10/todos'],
    ['a sibling path', 'https://api.test/v2/todos'],
    ['the origin root', 'https://api.test/'],
    ['a look-alike host', 'https://api.test.evil.test/v1/todos'],
    ['another scheme', 'http://api.test/v1/todos'],
    ['another port', 'https://api.test:8443/v1/todos'],
    ['userinfo tricks', 'https://api.test@evil.test/v1/todos'],
  ])('never attaches it to %s', (_, url) => {
    expect(allowed(url)).toBe(false);
  });
});
