import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenCipher, TokenDecryptionError } from '../../src/session/token-cipher.js';

const newKey = () => randomBytes(32).toString('base64url');

describe('token cipher', () => {
  const [oldKey, currentKey] = [newKey(), newKey()];

  it('round-trips a token bound to its context, and the sealed form does not contain it', () => {
    const cipher = createTokenCipher([currentKey]);
    const token = `rt_${randomBytes(32).toString('base64url')}`;
    const sealed = cipher.seal(token, 'session-1');
    expect(sealed).not.toContain(token);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(cipher.open(sealed, 'session-1')).toBe(token);
  });

  it('uses a fresh IV every time', () => {
    const cipher = createTokenCipher([currentKey]);
    expect(cipher.seal('same', 'c')).not.toBe(cipher.seal('same', 'c'));
  });

  it('refuses a ciphertext moved to another context', () => {
    const cipher = createTokenCipher([currentKey]);
    expect(() => cipher.open(cipher.seal('token', 'session-1'), 'session-2')).toThrow(TokenDecryptionError);
  });

  it('rotates: encrypts with the first key, decrypts with any listed key', () => {
    const sealedUnderOld = createTokenCipher([oldKey]).seal('token', 'c');
    const rotated = createTokenCipher([currentKey, oldKey]);
    expect(rotated.open(sealedUnderOld, 'c')).toBe('token');
    const resealed = rotated.seal('token', 'c');
    expect(createTokenCipher([currentKey]).open(resealed, 'c')).toBe('token');
    expect(() => createTokenCipher([oldKey]).open(resealed, 'c')).toThrow(TokenDecryptionError);
  });

  it('refuses a ciphertext whose key was removed from the list', () => {
    const sealed = createTokenCipher([oldKey]).seal('token', 'c');
    expect(() => createTokenCipher([currentKey]).open(sealed, 'c')).toThrow(TokenDecryptionError);
  });

  it.each([
    [
      'a flipped ciphertext bit',
      (s: string) => {
        const parts = s.split('.');
        const body = Buffer.from(parts[3] as string, 'base64url');
        body[0] = (body[0] as number) ^ 1;
        parts[3] = body.toString('base64url');
        return parts.join('.');
      },
    ],
    ['a truncated tag', (s: string) => s.slice(0, -4)],
    ['a wrong version', (s: string) => s.replace(/^v1/, 'v2')],
    ['a missing part', (s: string) => s.split('.').slice(0, 3).join('.')],
    ['an empty string', () => ''],
    [
      'a short IV',
      (s: string) =>
        s
          .split('.')
          .map((p, i) => (i === 2 ? 'AAAA' : p))
          .join('.'),
    ],
  ])('refuses %s with TokenDecryptionError', (_, tamper) => {
    const cipher = createTokenCipher([currentKey]);
    expect(() => cipher.open(tamper(cipher.seal('token', 'c')), 'c')).toThrow(TokenDecryptionError);
  });

  it.each([
    ['no keys', []],
    ['a short key', ['abc']],
    ['a key with padding', [`${randomBytes(32).toString('base64')}`]],
    ['the same key twice', [currentKey, currentKey]],
  ])('refuses %s at construction with TypeError', (_, keys) => {
    expect(() => createTokenCipher(keys as string[])).toThrow(TypeError);
  });
});
