import { describe, expect, it } from 'vitest';
import {
  createSessionId,
  readSessionId,
  serializeClearedSessionCookie,
  serializeSessionCookie,
  sessionCookieName,
} from '../../src/session/session-cookie.js';

describe('session cookie', () => {
  it('creates 256-bit ids that never repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, createSessionId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(Buffer.from(id, 'base64url')).toHaveLength(32);
  });

  it('sets a __Host- cookie: Secure, HttpOnly, SameSite=Strict, Path=/, no Domain', () => {
    const value = serializeSessionCookie(createSessionId());
    expect(value.startsWith(`${sessionCookieName}=`)).toBe(true);
    const attributes = value.split('; ').slice(1);
    expect(attributes.sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict', 'Secure']);
    expect(value).not.toMatch(/domain/i);
  });

  it('clears the cookie with the same attributes', () => {
    expect(serializeClearedSessionCookie()).toBe(
      `${sessionCookieName}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`,
    );
  });

  it('reads the id back from a Cookie header among other cookies', () => {
    const id = createSessionId();
    expect(readSessionId(`theme=dark; ${sessionCookieName}=${id}; other=1`)).toBe(id);
  });

  it.each([
    ['no header', undefined],
    ['no session cookie', 'theme=dark'],
    ['a truncated id', `${sessionCookieName}=${createSessionId().slice(0, 42)}`],
    ['an id with a foreign character', `${sessionCookieName}=${createSessionId().slice(0, 42)}.`],
    ['a JWT-looking value', `${sessionCookieName}=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.`],
    ['the cookie twice', `${sessionCookieName}=${createSessionId()}; ${sessionCookieName}=${createSessionId()}`],
    ['a huge header', `${sessionCookieName}=${createSessionId()}; pad=${'x'.repeat(9000)}`],
    ['a prefix-less twin', `gh-session=${createSessionId()}`],
  ])('finds no session in %s', (_, header) => {
    expect(readSessionId(header)).toBeUndefined();
  });

  it('refuses to serialize something that is not a session id', () => {
    expect(() => serializeSessionCookie('abc\r\nSet-Cookie: x=1')).toThrow(TypeError);
  });
});
