import { startTestIssuer } from '@gatehouse/test-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BearerError, ProviderUnavailableError } from '../../src/core/bearer-error.js';
import { JwksCache } from '../../src/core/jwks-cache.js';

// The JWKS cache on its own, against a real issuer on loopback. Requests are counted with a fetch
// that forwards to the real one, so attempts against a provider that answers 503 are seen too.
let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
let now = Date.parse('2030-01-01T00:00:00Z');
let attempts = 0;
const countingFetch: typeof fetch = (input, init) => {
  attempts += 1;
  return fetch(input, init);
};

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.stop());
beforeEach(async () => {
  attempts = 0;
  issuer.state.down = false;
  issuer.state.published = [issuer.state.signing.jwk];
});

const cache = () =>
  new JwksCache({
    issuer: issuer.issuer,
    jwksUri: `${issuer.issuer}/jwks`,
    maxAgeSeconds: 600,
    cooldownSeconds: 30,
    fetch: countingFetch,
    now: () => now,
  });
const known = { kid: 'key-1', alg: 'ES256' };

describe('JWKS cache', () => {
  it('finds the JWKS through discovery when no jwksUri is given', async () => {
    const keys = new JwksCache({ issuer: issuer.issuer, fetch: countingFetch, now: () => now });
    await expect(keys.keyFor(known)).resolves.toBeDefined();
    expect(attempts).toBe(2); // discovery, then the JWKS
    await keys.keyFor(known);
    expect(attempts).toBe(2);
  });

  it('makes one request for many concurrent first calls', async () => {
    const keys = cache();
    await Promise.all(Array.from({ length: 20 }, () => keys.keyFor(known)));
    expect(attempts).toBe(1);
  });

  it('lets calls that arrive during a refetch wait for it, so a rotated key is not refused meanwhile', async () => {
    const keys = cache();
    await keys.keyFor(known);
    const rotated = await issuer.newKey('key-2');
    issuer.state.published = [issuer.state.signing.jwk, rotated.jwk];
    now += 31_000;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => keys.keyFor({ kid: 'key-2', alg: 'ES256' })),
    );
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(attempts).toBe(2);
  });

  it('keeps serving stale keys while the provider is down, retrying once per cool-down, not per call', async () => {
    const keys = cache();
    await keys.keyFor(known);
    issuer.state.down = true;
    now += 601_000; // past maxAgeSeconds: the keys are stale
    for (let call = 0; call < 10; call += 1) await expect(keys.keyFor(known)).resolves.toBeDefined();
    expect(attempts).toBe(2); // the first fetch, and one retry
    now += 31_000;
    issuer.state.down = false;
    const rotated = await issuer.newKey('key-3');
    issuer.state.published = [rotated.jwk];
    await expect(keys.keyFor({ kid: 'key-3', alg: 'ES256' })).resolves.toBeDefined();
    expect(attempts).toBe(3);
  });

  it('answers 503 on a cold cache while the provider is down, then recovers', async () => {
    const keys = cache();
    issuer.state.down = true;
    await expect(keys.keyFor(known)).rejects.toBeInstanceOf(ProviderUnavailableError);
    issuer.state.down = false;
    await expect(keys.keyFor(known)).resolves.toBeDefined();
  });

  it('never offers a symmetric key, or a key published for another algorithm', async () => {
    issuer.state.published = [
      { kty: 'oct', k: 'c2VjcmV0', kid: 'shared' },
      { ...issuer.state.signing.jwk, kid: 'es-only' },
    ];
    const keys = cache();
    for (const header of [
      { kid: 'shared', alg: 'HS256' },
      { kid: 'es-only', alg: 'RS256' },
    ]) {
      const error = await keys.keyFor(header).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BearerError);
      expect((error as BearerError).code).toBe('invalid_token');
    }
  });
});
