import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPkce } from '../../src/public-client/pkce.js';
import { s256 } from './fake-environment.js';

describe('PKCE pair', () => {
  it('draws a 256-bit verifier and sends its S256 challenge', async () => {
    const { verifier, challenge } = await createPkce(webcrypto);
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(s256(verifier));
  });

  it('draws a new verifier each time', async () => {
    const [first, second] = await Promise.all([createPkce(webcrypto), createPkce(webcrypto)]);
    expect(first.verifier).not.toBe(second.verifier);
  });
});
