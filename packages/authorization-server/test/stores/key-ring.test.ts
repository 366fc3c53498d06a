import { openMemoryStore, type Store } from '@gatehouse/store';
import { jwtVerify, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSealer } from '../../src/primitives/sealing.js';
import { KeyRing } from '../../src/stores/key-ring.js';

// The provider's signing keys, shared through the store: one active key per algorithm, a new key
// published before it signs, a replaced key published until what it signed has expired.

const secrets = ['key-ring-test-secret-0123456789abcdefgh'];
const minute = 60_000;

describe('KeyRing', () => {
  let now: number;
  let store: Store;
  const ring = (algs: ('ES256' | 'RS256' | 'EdDSA')[] = ['ES256'], sealerSecrets = secrets) =>
    new KeyRing(store, createSealer(sealerSecrets, 'signing-keys'), algs, () => now);
  const kids = async (keys: KeyRing) => (await keys.jwks()).keys.map((key) => key.kid);

  beforeEach(() => {
    now = Date.parse('2030-01-01T00:00:00Z');
    store = openMemoryStore({ now: () => now, sweepIntervalMs: 0 });
  });
  afterEach(() => store.close());

  async function signsAndVerifies(keys: KeyRing, alg: 'ES256' | 'RS256' | 'EdDSA') {
    const signing = await keys.signingKey(alg);
    const jwt = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg, kid: signing.kid }).sign(signing.key);
    const verification = await keys.verificationKey(signing.kid, alg);
    expect(verification).toBeDefined();
    await jwtVerify(jwt, verification as never);
    return signing.kid;
  }

  describe('initialize', () => {
    it('creates one key per algorithm and publishes each, public members only', async () => {
      const keys = ring(['ES256', 'RS256', 'EdDSA']);
      await keys.initialize();
      const { keys: published } = await keys.jwks();
      expect(published.map((key) => key.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
      for (const key of published) {
        expect(key).toMatchObject({ use: 'sig' });
        expect(key.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
      }
      for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) await signsAndVerifies(keys, alg);
    });

    it('keeps the private key sealed in the store', async () => {
      const keys = ring();
      await keys.initialize();
      const signing = await keys.signingKey('ES256');
      const stored = JSON.stringify(await store.get('signing-keys', signing.kid));
      expect(stored).toContain('sealedPrivateJwk');
      expect(stored).not.toMatch(/"d":/);
    });

    it('creates keys once across instances: a second ring finds the first one’s', async () => {
      const first = ring();
      await first.initialize();
      const second = ring();
      await second.initialize();
      expect(await kids(second)).toEqual(await kids(first));
    });

    it('creates one key per algorithm when instances start at once, and every instance signs with it', async () => {
      const rings = [ring(['ES256', 'RS256']), ring(['ES256', 'RS256']), ring(['ES256', 'RS256'])];
      await Promise.all(rings.map((keys) => keys.initialize()));
      const published = await Promise.all(rings.map(kids));
      expect(published[0]).toHaveLength(2);
      for (const list of published) expect(list).toEqual(published[0]);
      for (const keys of rings) {
        const { kid } = await keys.signingKey('ES256');
        for (const list of published) expect(list).toContain(kid);
      }
    });

    it('adds a key for a newly configured algorithm and keeps the old one', async () => {
      const before = ring(['ES256']);
      await before.initialize();
      const [es256] = await kids(before);
      const after = ring(['ES256', 'EdDSA']);
      await after.initialize();
      expect(await kids(after)).toContain(es256);
      expect(await kids(after)).toHaveLength(2);
    });
  });

  describe('signing and verification keys', () => {
    it('has no signing key for an algorithm it was not configured with', async () => {
      const keys = ring(['ES256']);
      await keys.initialize();
      await expect(keys.signingKey('EdDSA')).rejects.toThrow();
    });

    it('finds no verification key for an unknown kid, or a known kid under another algorithm', async () => {
      const keys = ring(['ES256']);
      await keys.initialize();
      const { kid } = await keys.signingKey('ES256');
      expect(await keys.verificationKey('no-such-kid', 'ES256')).toBeUndefined();
      expect(await keys.verificationKey(kid, 'RS256')).toBeUndefined();
    });

    it('cannot open its keys with other cookie secrets', async () => {
      await ring().initialize();
      const stranger = ring(['ES256'], ['another-secret-altogether-0123456789ab']);
      await stranger.initialize();
      await expect(stranger.signingKey('ES256')).rejects.toThrow();
    });
  });

  describe('rotate', () => {
    it('publishes the new key at once and signs with it only once it activates', async () => {
      const keys = ring();
      await keys.initialize();
      const old = (await keys.signingKey('ES256')).kid;
      const [next] = await keys.rotate(10 * 60, 60 * 60);
      expect(await kids(keys)).toEqual(expect.arrayContaining([old, next]));
      now += 10 * minute - 1;
      expect((await keys.signingKey('ES256')).kid).toBe(old);
      now += 1;
      expect(await signsAndVerifies(keys, 'ES256')).toBe(next);
    });

    it('keeps the replaced key published, and verifying, until its retention ends — then drops it', async () => {
      const keys = ring();
      await keys.initialize();
      const old = (await keys.signingKey('ES256')).kid;
      await keys.rotate(0, 60 * 60);
      now += 60 * minute - 1;
      expect(await keys.verificationKey(old, 'ES256')).toBeDefined();
      now += minute + 1; // past the retention, and past the ring's reload interval
      expect(await kids(keys)).not.toContain(old);
      expect(await keys.verificationKey(old, 'ES256')).toBeUndefined();
      expect(await store.get('signing-keys', old)).toBeUndefined();
    });

    it('rotates every configured algorithm, one new key each', async () => {
      const keys = ring(['ES256', 'EdDSA']);
      await keys.initialize();
      const created = await keys.rotate(0, 60);
      expect(created).toHaveLength(2);
      expect(await kids(keys)).toHaveLength(4);
    });

    it('is seen by another instance within its reload interval (a minute)', async () => {
      const here = ring();
      const there = ring();
      await here.initialize();
      await there.initialize();
      now += 10 * minute;
      const old = (await there.signingKey('ES256')).kid; // re-read just now
      const [next] = await here.rotate(0, 60 * 60);
      expect((await there.signingKey('ES256')).kid).toBe(old);
      now += minute + 1;
      expect((await there.signingKey('ES256')).kid).toBe(next);
    });

    it('lets another instance verify a token signed with a key it has not loaded yet', async () => {
      const here = ring();
      const there = ring();
      await here.initialize();
      await there.initialize();
      const [next] = await here.rotate(0, 60 * 60);
      now += 2000; // the on-demand re-read is limited to once a second
      expect(await there.verificationKey(next as string, 'ES256')).toBeDefined();
    });
  });

  describe('follow', () => {
    it('publishes a key rotated by another instance at once when it follows, not at the next poll', async () => {
      const here = ring();
      const following = ring();
      const polling = ring();
      for (const keys of [here, following, polling]) await keys.initialize();
      await following.follow();
      const [next] = await here.rotate(10 * 60, 60 * 60);
      // The clock stands still: only the announcement can make the follower reload.
      await expect.poll(() => kids(following), { timeout: 1_000 }).toContain(next);
      expect(await kids(polling)).not.toContain(next);
      now += minute + 1;
      expect(await kids(polling)).toContain(next);
      await following.close();
    });

    it('stops reloading on announcements once closed', async () => {
      const here = ring();
      const there = ring();
      await here.initialize();
      await there.initialize();
      await there.follow();
      await there.close();
      const [next] = await here.rotate(10 * 60, 60 * 60);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await kids(there)).not.toContain(next);
    });
  });
});
