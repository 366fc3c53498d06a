import { randomBytes } from 'node:crypto';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSessionId } from '../../src/session/session-cookie.js';
import {
  type Session,
  SessionRecords,
  sessionStoreKey,
  unopenable,
  userIndex,
} from '../../src/session/session-records.js';
import { createTokenCipher } from '../../src/session/token-cipher.js';

const hour = 3_600_000;
const lifetimes = { idleTimeoutSeconds: 8 * 3600, absoluteTimeoutSeconds: 7 * 86_400 };
const newKey = () => randomBytes(32).toString('base64url');

function newSession(overrides: Partial<Session> = {}) {
  return {
    issuer: 'https://idp.example.com',
    subject: 'alice',
    providerSessionId: 'sid-1',
    claims: { name: 'Alice' },
    tokens: {
      accessToken: `at_${randomBytes(24).toString('base64url')}`,
      accessTokenExpiresAt: Date.parse('2030-01-01T01:00:00Z'),
      refreshToken: `rt_${randomBytes(32).toString('base64url')}`,
      idToken: 'header.payload.signature',
      scope: 'openid api',
    },
    createdAt: Date.parse('2030-01-01T00:00:00Z'),
    ...overrides,
  };
}

describe('session records', () => {
  let store: Store;
  let records: SessionRecords;
  let now: number;
  beforeEach(() => {
    now = Date.parse('2030-01-01T00:00:00Z');
    store = openMemoryStore({ now: () => now });
    records = new SessionRecords(store, createTokenCipher([newKey()]), lifetimes);
  });

  it('starts both clocks at creation and reads the session back with its tokens', async () => {
    const key = sessionStoreKey(createSessionId());
    const created = await records.create(key, newSession(), now);
    expect(created.session.lastSeenAt).toBe(now);
    expect(created.session.absoluteExpiresAt).toBe(now + 7 * 24 * hour);
    const read = await records.read(key, now);
    expect(read).toEqual(created);
  });

  it('stores the tokens sealed: the record in the store holds none of them', async () => {
    const key = sessionStoreKey(createSessionId());
    const created = await records.create(key, newSession(), now);
    const stored = JSON.stringify(await store.get('bff_session', key));
    for (const token of [created.session.tokens.accessToken, created.session.tokens.refreshToken as string]) {
      expect(stored).not.toContain(token);
    }
    expect(stored).toContain('alice');
  });

  it('refuses sealed tokens copied onto another session’s record (bound to the key)', async () => {
    const [mine, theirs] = [sessionStoreKey(createSessionId()), sessionStoreKey(createSessionId())];
    await records.create(mine, newSession(), now);
    await records.create(theirs, newSession({ subject: 'mallory' }), now);
    const stolen = (await store.get('bff_session', mine)) as { sealedTokens: string };
    const target = (await store.get('bff_session', theirs)) as Record<string, unknown>;
    await store.put('bff_session', theirs, { ...target, sealedTokens: stolen.sealedTokens }, { ttlSeconds: 60 });
    expect(await records.read(theirs, now)).toBe(unopenable);
  });

  it('reads as unopenable a record sealed under a key no longer configured, and gives no refresh token', async () => {
    const key = sessionStoreKey(createSessionId());
    await records.create(key, newSession(), now);
    const rotated = new SessionRecords(store, createTokenCipher([newKey()]), lifetimes);
    expect(await rotated.read(key, now)).toBe(unopenable);
    const sealed = await rotated.readSealed(key);
    expect(sealed && rotated.refreshTokenOf(key, sealed)).toBeNull();
    expect(sealed && records.refreshTokenOf(key, sealed)).toMatch(/^rt_/);
  });

  it('deletes a record found idle past its limit', async () => {
    const key = sessionStoreKey(createSessionId());
    await records.create(key, newSession(), now);
    now += 8 * hour;
    expect(await records.read(key, now)).toBeUndefined();
    expect(await records.readSealed(key)).toBeUndefined();
  });

  it('writes only over the version it read (compare-and-set)', async () => {
    const key = sessionStoreKey(createSessionId());
    const { session, version } = await records.create(key, newSession(), now);
    const rotated = { ...session, tokens: { ...session.tokens, refreshToken: 'rt_new' } };
    const next = await records.compareAndSet(key, version, rotated, now);
    expect(next).toBeDefined();
    expect(await records.compareAndSet(key, version, session, now)).toBeUndefined();
    const read = await records.read(key, now);
    expect(read !== unopenable && read?.session.tokens.refreshToken).toBe('rt_new');
  });

  it('files records under their user, and finds only session records there', async () => {
    const [one, two] = [sessionStoreKey(createSessionId()), sessionStoreKey(createSessionId())];
    await records.create(one, newSession(), now);
    await records.create(two, newSession({ subject: 'bob' }), now);
    const index = userIndex('https://idp.example.com', 'alice');
    await store.put('other_namespace', 'x', { note: 'not a session' }, { ttlSeconds: 60, indexes: [index] });
    expect((await records.findIndexed(index)).map((entry) => entry.id)).toEqual([one]);
    expect(await records.deleteIndexed(index)).toBe(2); // whatever is filed there, in any namespace
    expect(await records.readSealed(one)).toBeUndefined();
  });

  it('counts a session live only within both its idle and absolute limits', () => {
    const session = { lastSeenAt: now, absoluteExpiresAt: now + 10 * hour };
    expect(records.isLive(session, now + 8 * hour - 1)).toBe(true);
    expect(records.isLive(session, now + 8 * hour)).toBe(false);
    expect(records.isLive({ ...session, lastSeenAt: now + 9 * hour }, now + 10 * hour)).toBe(false);
  });

  // Opened tokens are reused only for the very ciphertext the store still holds: every read goes to
  // the store, so what another instance wrote, altered or deleted is seen on the next read.
  it('reads tokens another instance rotated, though this one opened the older ones before', async () => {
    const cipher = createTokenCipher([newKey()]);
    const here = new SessionRecords(store, cipher, lifetimes);
    const elsewhere = new SessionRecords(store, cipher, lifetimes);
    const key = sessionStoreKey(createSessionId());
    const { session, version } = await here.create(key, newSession(), now);
    expect(await here.read(key, now)).toMatchObject({
      session: { tokens: { refreshToken: session.tokens.refreshToken } },
    });
    const rotated = { ...session, tokens: { ...session.tokens, accessToken: 'at_new', refreshToken: 'rt_new' } };
    expect(await elsewhere.compareAndSet(key, version, rotated, now)).toBeDefined();
    const read = await here.read(key, now);
    expect(read !== unopenable && read?.session.tokens).toMatchObject({
      accessToken: 'at_new',
      refreshToken: 'rt_new',
    });
  });

  it('refuses a record whose stored ciphertext was altered, though the genuine one was opened before', async () => {
    const key = sessionStoreKey(createSessionId());
    await records.create(key, newSession(), now);
    expect(await records.read(key, now)).not.toBe(unopenable);
    const stored = (await store.getEntry<{ sealedTokens: string }>('bff_session', key))?.value;
    const sealed = stored?.sealedTokens as string;
    const altered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-1)}`;
    await store.put('bff_session', key, { ...stored, sealedTokens: altered }, { ttlSeconds: 3600 });
    expect(await records.read(key, now)).toBe(unopenable);
  });

  it('answers nothing for a record another instance deleted, though this one opened it before', async () => {
    const key = sessionStoreKey(createSessionId());
    await records.create(key, newSession(), now);
    expect(await records.read(key, now)).toBeDefined();
    await new SessionRecords(store, createTokenCipher([newKey()]), lifetimes).delete(key);
    expect(await records.read(key, now)).toBeUndefined();
  });
});
