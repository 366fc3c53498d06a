import { describe, expect, it } from 'vitest';
import { fromBase64UrlText, randomValue, toBase64Url } from '../../src/public-client/base64url.js';

describe('base64url', () => {
  it('encodes bytes without padding in the URL-safe alphabet (RFC 4648 §5)', () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xfe, 0x00, 0x01]);
    expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
    expect(toBase64Url(bytes)).not.toMatch(/[+/=]/);
  });

  it('decodes UTF-8 text, and refuses characters outside the alphabet', () => {
    expect(fromBase64UrlText(Buffer.from('{"name":"Zoë"}').toString('base64url'))).toBe('{"name":"Zoë"}');
    expect(() => fromBase64UrlText('ab+/')).toThrow(TypeError);
    expect(() => fromBase64UrlText('ab=')).toThrow(TypeError);
  });

  it('draws random values of the length asked for from the CSPRNG it is given', () => {
    let calls = 0;
    const random = {
      getRandomValues(array: Uint8Array) {
        calls += 1;
        array.fill(7);
        return array;
      },
    };
    expect(randomValue(32, random)).toBe(Buffer.alloc(32, 7).toString('base64url'));
    expect(calls).toBe(1);
    expect(randomValue(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomValue(32)).not.toBe(randomValue(32));
  });
});
