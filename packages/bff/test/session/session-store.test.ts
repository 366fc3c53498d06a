import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemoryStore, openSqliteStore, type Store } from '@gatehouse/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSessionId } from '../../src/session/session-cookie.js';
import { type Session, SessionExpiredError, SessionStore, sessionStoreKey } from '../../src/session/session-store.js';
import { createTokenCipher } from '../../src/session/token-cipher.js';

const hour = 3_600_000;
const limits = { idleTimeoutSeconds: 8 * 3600, absoluteTimeoutSeconds: 7 * 86_400 };

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

describe('session store', () => {
  let store: Store;
  let sessions: SessionStore;
  let now: number;
  beforeEach(() => {
    now = Date.parse('2030-01-01T00:00:00Z');
    store = openMemoryStore({ now: () => now });
    sessions = new SessionStore(store, createTokenCipher([randomBytes(32).toString('base64url')]), limits);
  });

  it('tells its end listeners the store key of every session it ends, never the id', async () => {
    const ended: string[] = [];
    sessions.onEnd((key) => ended.push(key));
    const [one, two, three] = [createSessionId(), createSessionId(), createSessionId()];
    await sessions.create(one, newSession(), now);
    await sessions.create(two, newSession({ subject: 'bob', providerSessionId: 'sid-2' }), now);
    await sessions.create(three, newSession({ subject: 'bob', providerSessionId: 'sid-3' }), now);
    await sessions.end(one);
    await sessions.endAllOfUser('https://idp.example.com', 'bob');
    expect(ended.sort()).toEqual([sessionStoreKey(one), sessionStoreKey(two), sessionStoreKey(three)].sort());
    expect(ended).not.toContain(one);
  });

  it('round-trips a session, and a dump of the database holds neither the session id nor any token', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gatehouse-bff-session-'));
    const file = join(folder, 'bff.db');
    const sqlite = openSqliteStore(file, { now: () => now });
    const onDisk = new SessionStore(sqlite, createTokenCipher([randomBytes(32).toString('base64url')]), limits);
    const id = createSessionId();
    const created = newSession();
    await onDisk.create(id, created, now);
    const loaded = await onDisk.load(id, now);
    expect(loaded?.session.tokens).toEqual(created.tokens);
    expect(loaded?.session.claims).toEqual({ name: 'Alice' });

    const dump = readdirSync(folder)
      .map((name) => readFileSync(join(folder, name)).toString('latin1'))
      .join('');
    expect(dump).toContain('Alice'); // the dump is real: the claims are there in the clear
    for (const secret of [
      id,
      created.tokens.accessToken,
      created.tokens.refreshToken as string,
      created.tokens.idToken,
    ]) {
      expect(dump).not.toContain(secret);
    }
    await sqlite.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('slides: activity within the idle limit keeps the session, and idleness ends it', async () => {
    const id = createSessionId();
    let { version, session } = await sessions.create(id, newSession(), now);
    now += 7 * hour;
    const touched = await sessions.update(id, version, { ...session, lastSeenAt: now }, now);
    expect(touched).toBeDefined();
    now += 7 * hour; // 14 h after login, 7 h after the last activity
    ({ version, session } = (await sessions.load(id, now)) as { version: number; session: Session });
    expect(session.subject).toBe('alice');
    now += 8 * hour + 1;
    expect(await sessions.load(id, now)).toBeUndefined();
  });

  it('ends at the absolute limit however active the user is', async () => {
    const id = createSessionId();
    let loaded = await sessions.create(id, newSession(), now);
    for (let day = 0; day < 7; day += 1) {
      now += 6 * hour;
      const version = await sessions.update(id, loaded.version, { ...loaded.session, lastSeenAt: now }, now);
      if (version === undefined) break;
      const again = await sessions.load(id, now);
      if (!again) break;
      loaded = again;
    }
    now = loaded.session.absoluteExpiresAt;
    expect(await sessions.load(id, now)).toBeUndefined();
  });

  it('refuses a stale update so newer tokens are never overwritten', async () => {
    const id = createSessionId();
    const { version, session } = await sessions.create(id, newSession(), now);
    const rotated = { ...session, tokens: { ...session.tokens, refreshToken: 'rt_new' } };
    expect(await sessions.update(id, version, rotated, now)).toBeDefined();
    const stale = { ...session, tokens: { ...session.tokens, refreshToken: 'rt_stale' } };
    expect(await sessions.update(id, version, stale, now)).toBeUndefined();
    expect((await sessions.load(id, now))?.session.tokens.refreshToken).toBe('rt_new');
  });

  it('ends every session of a user, or of one provider session, and nobody else’s', async () => {
    const [a1, a2, b] = [createSessionId(), createSessionId(), createSessionId()];
    await sessions.create(a1, newSession({ providerSessionId: 'sid-1' }), now);
    await sessions.create(a2, newSession({ providerSessionId: 'sid-2' }), now);
    await sessions.create(b, newSession({ subject: 'bob', providerSessionId: 'sid-3' }), now);
    const bySid = await sessions.endAllOfProviderSession('https://idp.example.com', 'sid-2');
    expect(bySid.ended).toBe(1);
    expect(bySid.refreshTokens).toEqual([expect.stringMatching(/^rt_/)]);
    expect(await sessions.load(a2, now)).toBeUndefined();
    expect((await sessions.endAllOfUser('https://idp.example.com', 'alice')).ended).toBe(1);
    expect(await sessions.load(a1, now)).toBeUndefined();
    expect((await sessions.load(b, now))?.session.subject).toBe('bob');
  });

  it('does not open a session with another session id', async () => {
    await sessions.create(createSessionId(), newSession(), now);
    expect(await sessions.load(createSessionId(), now)).toBeUndefined();
  });

  it('reuses a recent read only when asked to, only for cacheMs, and never after this instance ends it', async () => {
    const cipher = createTokenCipher([randomBytes(32).toString('base64url')]);
    const here = new SessionStore(store, cipher, { ...limits, cacheMs: 1_000 });
    const elsewhere = new SessionStore(store, cipher, limits);
    const id = createSessionId();
    await here.create(id, newSession(), now);
    expect(await here.loadRecent(id, now)).toBeDefined();
    await elsewhere.end(id); // a logout on another instance
    expect(await here.loadRecent(id, now + 500)).toBeDefined(); // the documented staleness
    expect(await here.load(id, now + 500)).toBeUndefined(); // decisions read the store
    expect(await here.loadRecent(id, now + 1_001)).toBeUndefined();

    const other = createSessionId();
    await here.create(other, newSession(), now);
    await here.loadRecent(other, now);
    await here.end(other); // a logout on this instance: seen at once
    expect(await here.loadRecent(other, now + 1)).toBeUndefined();
  });

  it('with sharedCacheMs, sees a logout or a refresh on another instance at once though it had the session cached', async () => {
    const cipher = createTokenCipher([randomBytes(32).toString('base64url')]);
    const here = new SessionStore(store, cipher, { ...limits, sharedCacheMs: 15_000 });
    const elsewhere = new SessionStore(store, cipher, { ...limits, sharedCacheMs: 15_000 });
    await here.listenForChanges();
    await elsewhere.listenForChanges();
    const id = createSessionId();
    const { version, session } = await here.create(id, newSession(), now);
    expect((await here.loadRecent(id, now))?.version).toBe(version);
    const refreshed = { ...session, tokens: { ...session.tokens, accessToken: 'at_new' } };
    await elsewhere.update(id, version, refreshed, now);
    expect((await here.loadRecent(id, now + 1))?.session.tokens.accessToken).toBe('at_new');
    await elsewhere.end(id);
    expect(await here.loadRecent(id, now + 2)).toBeUndefined();
    await here.stopListening();
    await elsewhere.stopListening();
  });

  it('ends a session sealed under a key no longer configured: absent to load, SessionExpiredError to the browser', async () => {
    const retired = randomBytes(32).toString('base64url');
    const before = new SessionStore(store, createTokenCipher([retired]), limits);
    const [one, two] = [createSessionId(), createSessionId()];
    await before.create(one, newSession(), now);
    await before.create(two, newSession(), now);
    const after = new SessionStore(store, createTokenCipher([randomBytes(32).toString('base64url')]), limits);
    const ended: string[] = [];
    after.onEnd((key) => ended.push(key));

    expect(await after.load(one, now)).toBeUndefined();
    await expect(after.loadRecent(two, now)).rejects.toBeInstanceOf(SessionExpiredError);
    expect(ended.sort()).toEqual([sessionStoreKey(one), sessionStoreKey(two)].sort());
    // Ended, not merely unreadable: the records are gone, and the next read finds no session.
    expect(await store.get('bff_session', sessionStoreKey(one))).toBeUndefined();
    expect(await after.loadRecent(two, now)).toBeUndefined();
  });

  it('still opens a session sealed under an older key that is still listed (rotation)', async () => {
    const [older, newer] = [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')];
    const id = createSessionId();
    await new SessionStore(store, createTokenCipher([older]), limits).create(id, newSession(), now);
    const rotated = new SessionStore(store, createTokenCipher([newer, older]), limits);
    expect((await rotated.loadRecent(id, now))?.session.subject).toBe('alice');
  });
});
