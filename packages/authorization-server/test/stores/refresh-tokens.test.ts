import { openMemoryStore, type Store } from '@gatehouse/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/primitives/random.js';
import { createSealer } from '../../src/primitives/sealing.js';
import { RefreshTokens } from '../../src/stores/refresh-tokens.js';

// RFC 9700 §4.14: refresh tokens rotate on every use; a rotated one presented again is reuse, except
// an immediate retry by the same client within the grace window. A frozen clock the test moves.

const graceSeconds = 10;
const hour = 3600_000;

describe('RefreshTokens', () => {
  let now: number;
  let store: Store;
  let tokens: RefreshTokens;
  /** The grant's answer when a token is used: the successor's expiry, or undefined to refuse. */
  let grantAllows: (grantId: string) => Promise<number | undefined>;
  const use = (token: string, clientId = 'app') => tokens.use(token, clientId, (grantId) => grantAllows(grantId));

  beforeEach(() => {
    now = Date.parse('2030-01-01T00:00:00Z');
    store = openMemoryStore({ now: () => now, sweepIntervalMs: 0 });
    tokens = new RefreshTokens(store, createSealer(['refresh-tokens-test-secret-0123456789'], 'refresh'), {
      graceSeconds,
      now: () => now,
    });
    grantAllows = async () => now + hour;
  });
  afterEach(() => store.close());

  describe('issue', () => {
    it('hands out a family id (the grant’s), a generation and a 256-bit MAC; the store holds no token nor its key in clear', async () => {
      const token = await tokens.issue('grant-1', 'app', now + hour);
      expect(token).toMatch(/^grant-1\.0\.[A-Za-z0-9_-]{43}$/);
      expect(tokens.grantHint(token)).toBe('grant-1');
      const [familyId, , mac] = token.split('.') as [string, string, string];
      const stored = JSON.stringify(await store.findByIndex('grant:grant-1'));
      expect(stored).toContain(familyId);
      expect(stored).not.toContain(mac);
      const { token: second } = (await use(token)) as { token: string };
      const rotated = JSON.stringify(await store.findByIndex('grant:grant-1'));
      expect(rotated).not.toContain(second.split('.')[2]);
      expect(second).toMatch(new RegExp(`^${familyId}\\.1\\.`));
    });

    it('names a second family of the same grant at random; both rotate on their own', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      const second = await tokens.issue('grant-1', 'app', now + hour);
      expect(second).toMatch(/^[A-Za-z0-9_-]{22}\.0\./);
      expect(await use(first)).toMatchObject({ kind: 'rotated', grantId: 'grant-1' });
      expect(await use(second)).toMatchObject({ kind: 'rotated', grantId: 'grant-1' });
      expect(await store.deleteByIndex('grant:grant-1')).toBe(2);
    });

    it('refuses a token of a family with a forged MAC or a generation not reached yet', async () => {
      const token = await tokens.issue('grant-1', 'app', now + hour);
      const [familyId, , mac] = token.split('.') as [string, string, string];
      const forged = `${familyId}.0.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
      expect(await use(forged)).toEqual({ kind: 'invalid' });
      expect(await use(`${familyId}.1.${mac}`)).toEqual({ kind: 'invalid' });
      expect(await tokens.peek(forged, 'app')).toBeUndefined();
      // Neither counted as reuse: the real token still rotates.
      expect((await use(token)).kind).toBe('rotated');
    });

    it('keeps a family in use working across a secret rotation: each rotation seals it under the current secret', async () => {
      const oldSecret = 'refresh-tokens-test-secret-0123456789';
      const first = await tokens.issue('grant-1', 'app', now + hour);
      const both = new RefreshTokens(
        store,
        createSealer(['a-newer-secret-0123456789abcdefghijkl', oldSecret], 'refresh'),
        {
          graceSeconds,
          now: () => now,
        },
      );
      const { token: second } = (await both.use(first, 'app', async () => now + hour)) as { token: string };
      const newOnly = new RefreshTokens(store, createSealer(['a-newer-secret-0123456789abcdefghijkl'], 'refresh'), {
        graceSeconds,
        now: () => now,
      });
      expect(await newOnly.use(second, 'app', async () => now + hour)).toMatchObject({ kind: 'rotated' });
      // A family never used since cannot be opened once its secret is gone.
      const idle = await tokens.issue('grant-2', 'app', now + hour);
      expect(await newOnly.use(idle, 'app', async () => now + hour)).toEqual({ kind: 'invalid' });
    });

    it('keeps rotating a token stored by an older version (a record under its hash), with the same rules', async () => {
      const legacy = 'legacy-token-0123456789abcdefghijklmnopqrstu';
      await store.put(
        'refresh-tokens',
        sha256(legacy),
        { grantId: 'grant-9', clientId: 'app', rotatedAt: null, successorHash: null, sealedSuccessor: null },
        { ttlSeconds: 3600, indexes: ['grant:grant-9'] },
      );
      expect(await tokens.peek(legacy, 'app')).toEqual({ grantId: 'grant-9', current: true });
      const { token: next } = (await use(legacy)) as { token: string };
      expect(await use(legacy)).toEqual({ kind: 'retried', grantId: 'grant-9', token: next });
      expect((await use(next)).kind).toBe('rotated');
      expect(await use(legacy)).toEqual({ kind: 'reused', grantId: 'grant-9' });
    });

    it('hands out a new value every time, for the same grant too', async () => {
      const issued = await Promise.all(Array.from({ length: 5 }, () => tokens.issue('grant-1', 'app', now + hour)));
      expect(new Set(issued).size).toBe(5);
    });

    it('lets a token lapse at its expiry', async () => {
      const token = await tokens.issue('grant-1', 'app', now + hour);
      now += hour - 1000;
      expect(await tokens.peek(token, 'app')).toBeDefined();
      now += 2000;
      expect(await tokens.peek(token, 'app')).toBeUndefined();
      expect(await use(token)).toEqual({ kind: 'invalid' });
    });
  });

  describe('peek', () => {
    it('names the grant of a current token without using it', async () => {
      const token = await tokens.issue('grant-1', 'app', now + hour);
      expect(await tokens.peek(token, 'app')).toEqual({ grantId: 'grant-1', current: true });
      expect((await use(token)).kind).toBe('rotated');
    });

    it('says a rotated token is no longer current', async () => {
      const token = await tokens.issue('grant-1', 'app', now + hour);
      await use(token);
      expect(await tokens.peek(token, 'app')).toEqual({ grantId: 'grant-1', current: false });
    });

    it('knows nothing of another client’s token, an unknown one, or one over 512 characters', async () => {
      const token = await tokens.issue('grant-1', 'app', now + hour);
      expect(await tokens.peek(token, 'other-app')).toBeUndefined();
      expect(await tokens.peek('never-issued', 'app')).toBeUndefined();
      expect(await tokens.peek('x'.repeat(513), 'app')).toBeUndefined();
    });
  });

  describe('use', () => {
    it('rotates: a new token for the same grant, which rotates in turn', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      const rotated = await use(first);
      expect(rotated).toMatchObject({ kind: 'rotated', grantId: 'grant-1' });
      const second = (rotated as { token: string }).token;
      expect(second).not.toBe(first);
      expect(await use(second)).toMatchObject({ kind: 'rotated', grantId: 'grant-1' });
    });

    it('gives the successor the expiry the grant decides', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      grantAllows = async () => now + 60_000;
      const { token } = (await use(first)) as { token: string };
      now += 61_000;
      expect(await use(token)).toEqual({ kind: 'invalid' });
    });

    it('answers a retry within the grace window with the same successor', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      const { token } = (await use(first)) as { token: string };
      now += graceSeconds * 1000;
      expect(await use(first)).toEqual({ kind: 'retried', grantId: 'grant-1', token });
    });

    it('calls a retry after the grace window reuse, naming the grant to revoke', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      await use(first);
      now += graceSeconds * 1000 + 1;
      expect(await use(first)).toEqual({ kind: 'reused', grantId: 'grant-1' });
    });

    it('calls the previous token reuse once its successor has been used, even within the grace window', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      const { token: second } = (await use(first)) as { token: string };
      await use(second);
      expect(await use(first)).toEqual({ kind: 'reused', grantId: 'grant-1' });
    });

    it('calls a token two rotations back reuse', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      const { token: second } = (await use(first)) as { token: string };
      const { token: third } = (await use(second)) as { token: string };
      expect(third).toBeTruthy();
      expect((await use(first)).kind).toBe('reused');
    });

    it('lets exactly one of concurrent uses rotate; the others get the same successor', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => use(first)));
      expect(outcomes.filter((outcome) => outcome.kind === 'rotated')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.kind === 'retried')).toHaveLength(7);
      expect(new Set(outcomes.map((outcome) => (outcome as { token: string }).token)).size).toBe(1);
    });

    it('refuses another client’s token without rotating it', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      expect(await use(first, 'other-app')).toEqual({ kind: 'invalid' });
      expect((await use(first)).kind).toBe('rotated');
    });

    it('refuses an unknown token and one over 512 characters', async () => {
      expect(await use('never-issued')).toEqual({ kind: 'invalid' });
      expect(await use('x'.repeat(513))).toEqual({ kind: 'invalid' });
    });

    it('rotates nothing when the grant refuses (revoked, expired)', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      grantAllows = async () => undefined;
      expect(await use(first)).toEqual({ kind: 'invalid' });
      grantAllows = async () => now + hour;
      expect((await use(first)).kind).toBe('rotated');
    });

    it('rotates nothing when the grant throws (a wider scope), and passes the error on', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      grantAllows = async () => {
        throw new RangeError('wider scope');
      };
      await expect(use(first)).rejects.toBeInstanceOf(RangeError);
      expect(await tokens.peek(first, 'app')).toEqual({ grantId: 'grant-1', current: true });
    });

    it('asks the grant by the token’s own grant id', async () => {
      const first = await tokens.issue('grant-7', 'app', now + hour);
      const asked: string[] = [];
      grantAllows = async (grantId) => {
        asked.push(grantId);
        return now + hour;
      };
      await use(first);
      expect(asked).toEqual(['grant-7']);
    });

    it('keeps every token of a family under the grant’s index, so the family is revoked at once', async () => {
      const first = await tokens.issue('grant-1', 'app', now + hour);
      const { token: second } = (await use(first)) as { token: string };
      const other = await tokens.issue('grant-2', 'app', now + hour);
      expect(await store.deleteByIndex('grant:grant-1')).toBeGreaterThanOrEqual(1);
      expect(await use(second)).toEqual({ kind: 'invalid' });
      expect(await use(first)).toEqual({ kind: 'invalid' });
      expect((await use(other)).kind).toBe('rotated');
    });
  });
});
