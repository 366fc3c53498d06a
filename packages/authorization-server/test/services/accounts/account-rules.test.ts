import { openMemoryStore, RateLimiter, type Store } from '@gatehouse/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CookieSigner } from '../../../src/primitives/cookies.js';
import { createSealer } from '../../../src/primitives/sealing.js';
import type { Grant } from '../../../src/protocol/grant.js';
import { changePassword } from '../../../src/services/accounts/change-password.js';
import { registerAccount } from '../../../src/services/accounts/register-account.js';
import { revokeClientAccess } from '../../../src/services/accounts/revoke-client-access.js';
import { unlinkUpstream } from '../../../src/services/accounts/unlink-upstream.js';
import { UpstreamProviders } from '../../../src/services/upstreams/upstream-providers.js';
import { UpstreamTokens } from '../../../src/services/upstreams/upstream-tokens.js';
import { AccountLinks } from '../../../src/stores/account-links.js';
import { AccountStore } from '../../../src/stores/account-store.js';
import { Consents } from '../../../src/stores/consents.js';
import { GrantStore } from '../../../src/stores/grant-store.js';
import { ProviderSessions } from '../../../src/stores/provider-sessions.js';

const secrets = ['account-rules-test-secret-0123456789abcdef'];
const password = 'correct horse battery staple';
let now = Date.parse('2030-01-01T00:00:00Z');
let store: Store;

/** The account rules over real stores; back-channel notices are recorded instead of sent. */
function services() {
  const clock = () => now;
  const providers = new UpstreamProviders([], fetch, clock);
  const notified: { clients: readonly string[]; sub: string }[] = [];
  const events: { event: string; fields: object }[] = [];
  return {
    store,
    accounts: new AccountStore(store, clock),
    sessions: new ProviderSessions(store, new CookieSigner(secrets), 3600, clock),
    grants: new GrantStore(store, clock),
    consents: new Consents(store),
    rateLimiter: new RateLimiter(store, clock),
    limits: { registration: { name: 'registration', limit: 2, windowSeconds: 60 } },
    upstreams: {
      links: new AccountLinks(store, clock),
      tokens: new UpstreamTokens(store, createSealer(secrets, 'upstream-tokens'), providers, fetch, clock),
    },
    backchannel: { notify: (clients: readonly string[], sub: string) => void notified.push({ clients, sub }) },
    events: { emit: (event: string, fields: object) => void events.push({ event, fields }) },
    emitted: events,
    notified,
    now: clock,
  };
}

/** A password account, which must be new (a taken address makes `create` answer nothing). */
async function passwordAccount(deps: ReturnType<typeof services>, email: string) {
  const account = await deps.accounts.create({ email, password });
  if (!account) throw new Error(`${email} was taken`);
  return account;
}

function grantFor(sub: string, clientId: string, sid: string, deps: ReturnType<typeof services>): Grant {
  return {
    grantId: deps.grants.newGrantId(),
    sub,
    clientId,
    scopes: ['openid', 'offline_access'],
    audience: 'https://api.example.com',
    authTime: Math.floor(now / 1000),
    amr: ['pwd'],
    sid,
    expiresAt: now + 86_400_000,
    offline: true,
    revoked: false,
  };
}

beforeEach(() => {
  now = Date.parse('2030-01-01T00:00:00Z');
  store = openMemoryStore({ now: () => now, sweepIntervalMs: 0 });
});
afterEach(() => store.close());

describe('changePassword', () => {
  it('keeps the session that changed it and ends every other one, revoking every grant', async () => {
    const deps = services();
    const account = await passwordAccount(deps, 'a@example.com');
    const here = await deps.sessions.start(account.sub, ['pwd'], now);
    const elsewhere = await deps.sessions.start(account.sub, ['pwd'], now);
    await deps.sessions.addClient(elsewhere.loaded, 'app');
    const offline = grantFor(account.sub, 'app', elsewhere.loaded.session.sid, deps);
    await deps.grants.create(offline);

    const outcome = await changePassword(
      deps,
      account.sub,
      { current: password, next: 'a brand new passphrase 42' },
      here.loaded.id,
    );

    expect(outcome).toEqual({ kind: 'changed' });
    expect((await deps.sessions.ofUser(account.sub)).map((session) => session.id)).toEqual([here.loaded.id]);
    expect((await deps.grants.find(offline.grantId))?.revoked ?? true).toBe(true);
    expect(deps.notified).toEqual([{ clients: ['app'], sub: account.sub }]);
    expect(deps.emitted).toEqual([
      { event: 'signed_out', fields: { sub: account.sub, cause: 'password_changed', clients: 1 } },
    ]);
    expect(await deps.accounts.verifyCredentials('a@example.com', 'a brand new passphrase 42')).toBeDefined();
    expect(await deps.accounts.verifyCredentials('a@example.com', password)).toBeUndefined();
  });

  it('changes nothing when the current password is wrong or the new one breaks the policy', async () => {
    const deps = services();
    const account = await passwordAccount(deps, 'b@example.com');
    const other = await deps.sessions.start(account.sub, ['pwd'], now);

    const wrong = await changePassword(
      deps,
      account.sub,
      { current: 'not it', next: 'another fine passphrase' },
      undefined,
    );
    const weak = await changePassword(deps, account.sub, { current: password, next: 'short' }, undefined);

    expect(wrong).toEqual({ kind: 'wrong-current-password' });
    expect(weak).toMatchObject({ kind: 'refused', problem: expect.any(String) });
    expect(await deps.accounts.verifyCredentials('b@example.com', password)).toBeDefined();
    expect((await deps.sessions.ofUser(account.sub)).map((session) => session.id)).toEqual([other.loaded.id]);
  });

  it('refuses an account that no longer exists', async () => {
    const deps = services();
    const outcome = await changePassword(
      deps,
      'usr_gone',
      { current: password, next: 'another fine passphrase' },
      undefined,
    );
    expect(outcome).toEqual({ kind: 'wrong-current-password' });
  });
});

describe('unlinkUpstream', () => {
  it('keeps the last way to sign in: a password-less account with one link stays linked', async () => {
    const deps = services();
    const account = await deps.accounts.createFederated({ email: undefined, emailVerified: false, name: undefined });
    await deps.upstreams.links.link(account.sub, 'social', 'social-user-1', 'Social user');

    expect(await unlinkUpstream(deps, account.sub, 'social')).toBe('last-method');
    expect((await deps.upstreams.links.ofUser(account.sub)).map((link) => link.upstream)).toEqual(['social']);
  });

  it('unlinks when a password or another link remains', async () => {
    const deps = services();
    const withPassword = await passwordAccount(deps, 'c@example.com');
    await deps.upstreams.links.link(withPassword.sub, 'social', 'social-user-2', 'Social user');
    const twoLinks = await deps.accounts.createFederated({ email: undefined, emailVerified: false, name: undefined });
    await deps.upstreams.links.link(twoLinks.sub, 'social', 'social-user-3', 'Social user');
    await deps.upstreams.links.link(twoLinks.sub, 'other', 'other-user-3', 'Other user');

    expect(await unlinkUpstream(deps, withPassword.sub, 'social')).toBe('unlinked');
    expect(await deps.upstreams.links.ofUser(withPassword.sub)).toEqual([]);
    expect(await unlinkUpstream(deps, twoLinks.sub, 'social')).toBe('unlinked');
    expect((await deps.upstreams.links.ofUser(twoLinks.sub)).map((link) => link.upstream)).toEqual(['other']);
    expect(await unlinkUpstream(deps, twoLinks.sub, 'other')).toBe('last-method');
  });
});

describe('revokeClientAccess', () => {
  it("withdraws the consent and every grant of that client, and only that client's", async () => {
    const deps = services();
    const account = await passwordAccount(deps, 'd@example.com');
    await deps.consents.grant(account.sub, 'app', ['openid'], now);
    await deps.consents.grant(account.sub, 'other-app', ['openid'], now);
    const appGrant = grantFor(account.sub, 'app', 'sid-1', deps);
    const otherGrant = grantFor(account.sub, 'other-app', 'sid-1', deps);
    await deps.grants.create(appGrant);
    await deps.grants.create(otherGrant);

    await revokeClientAccess(deps, account.sub, 'app');

    expect(await deps.consents.covers(account.sub, 'app', ['openid'])).toBe(false);
    expect(await deps.consents.covers(account.sub, 'other-app', ['openid'])).toBe(true);
    expect((await deps.grants.find(appGrant.grantId))?.revoked ?? true).toBe(true);
    expect(await deps.grants.find(otherGrant.grantId)).toMatchObject({ revoked: false });
  });
});

describe('registerAccount', () => {
  const form = { email: 'e@example.com', name: 'E', password };

  it('creates the account, and answers a taken address exactly like a new one', async () => {
    const deps = services();
    expect(await registerAccount(deps, form, '203.0.113.1')).toEqual({ kind: 'registered' });
    expect(await registerAccount(deps, { ...form, password: 'a different passphrase 7' }, '203.0.113.2')).toEqual({
      kind: 'registered',
    });
    expect(await deps.accounts.verifyCredentials(form.email, password)).toBeDefined();
  });

  it('names each problem of the form and creates nothing', async () => {
    const deps = services();
    const outcome = await registerAccount(deps, { email: 'not-an-address', name: 'n'.repeat(201), password: 'x' }, 's');
    expect(outcome).toEqual({
      kind: 'invalid',
      problems: { email: expect.any(String), name: 'Use at most 200 characters.', password: expect.any(String) },
    });
    expect(await deps.accounts.findByEmail('not-an-address')).toBeUndefined();
  });

  it('limits registrations per source, counting before the hash, without touching other sources', async () => {
    const deps = services();
    for (const n of [1, 2]) await registerAccount(deps, { ...form, email: `f${n}@example.com` }, 'flooder');
    const refused = await registerAccount(deps, { ...form, email: 'f3@example.com' }, 'flooder');
    expect(refused).toMatchObject({ kind: 'too-many', retryAfterSeconds: expect.any(Number) });
    expect(await deps.accounts.findByEmail('f3@example.com')).toBeUndefined();
    expect(await registerAccount(deps, { ...form, email: 'g@example.com' }, 'someone-else')).toEqual({
      kind: 'registered',
    });
  });
});
