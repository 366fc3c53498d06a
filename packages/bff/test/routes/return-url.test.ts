import { describe, expect, it } from 'vitest';
import { parseReturnUrl } from '../../src/routes/return-url.js';

describe('returnUrl', () => {
  it.each([
    '/',
    '/todos',
    '/todos?filter=open&page=2',
    '/profile#edit',
    '/a/b/../c',
    '/search?q=%2Fpath',
    '/caf%C3%A9',
  ])('accepts the local path %s unchanged', (path) => {
    expect(parseReturnUrl(path)).toBe(path);
  });

  it.each([
    ['a protocol-relative URL', '//evil.example'],
    ['a backslash trick', '/\\evil.example'],
    ['two backslashes', '\\\\evil.example'],
    ['a backslash later in the path', '/a\\b'],
    ['an absolute https URL', 'https://evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['an encoded double slash', '/%2F%2Fevil.example'],
    ['an encoded first slash pair', '%2F%2Fevil.example'],
    ['an encoded backslash', '/%5Cevil.example'],
    ['leading whitespace', ' /todos'],
    ['a tab inside', '/\t/evil.example'],
    ['a CR/LF (header injection)', '/todos\r\nSet-Cookie: x=1'],
    ['an encoded CR/LF', '/todos%0d%0aSet-Cookie:%20x=1'],
    ['a NUL', '/todos\u0000'],
    ['malformed percent-encoding', '/todos%E0%A4%A'],
    ['a relative path', 'todos'],
    ['an empty string', ''],
    ['a path of 3 KB', `/${'a'.repeat(3000)}`],
    ['a non-string', ['/todos']],
  ])('refuses %s', (_, input) => {
    expect(parseReturnUrl(input)).toBeUndefined();
  });
});
