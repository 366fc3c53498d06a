import { randomBytes } from 'node:crypto';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { LoginTransactions, loginCookieName } from '../../src/login/login-transactions.js';
import { createTokenCipher } from '../../src/session/token-cipher.js';

/** The `Cookie` header a browser would send back after these `Set-Cookie` values. */
function cookieFrom(setCookie: string | undefined): string | undefined {
  const pair = setCookie?.split(';')[0];
  return pair && !pair.endsWith('=') ? pair : undefined;
}

describe('login transactions', () => {
  let store: Store;
  let logins: LoginTransactions;
  let now = Date.parse('2030-01-01T00:00:00Z');
  const key = randomBytes(32).toString('base64url');
  beforeEach(() => {
    store = openMemoryStore({ now: () => now });
    logins = new LoginTransactions(store, createTokenCipher([key]));
  });

  it('binds the flow to the browser with a __Host- cookie that returns on the callback (Lax)', async () => {
    const begun = await logins.begin(undefined, { returnUrl: '/todos', prompt: null }, now);
    expect(begun.setCookie).toMatch(
      new RegExp(`^${loginCookieName}=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600$`),
    );
    expect(begun.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(begun.nonce).not.toBe(begun.state);
    const finished = await logins.finish(cookieFrom(begun.setCookie), begun.state);
    expect(finished.flow).toMatchObject({ returnUrl: '/todos', nonce: begun.nonce, prompt: null });
    expect(finished.flow?.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(finished.setCookie).toBe(`${loginCookieName}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`);
  });

  it('uses each state once', async () => {
    const begun = await logins.begin(undefined, { returnUrl: '/', prompt: null }, now);
    const cookie = cookieFrom(begun.setCookie);
    expect((await logins.finish(cookie, begun.state)).flow).toBeDefined();
    expect((await logins.finish(cookie, begun.state)).flow).toBeUndefined();
  });

  it('gives the flow to exactly one of 20 concurrent callbacks', async () => {
    const begun = await logins.begin(undefined, { returnUrl: '/', prompt: null }, now);
    const cookie = cookieFrom(begun.setCookie);
    const results = await Promise.all(Array.from({ length: 20 }, () => logins.finish(cookie, begun.state)));
    expect(results.filter((r) => r.flow !== undefined)).toHaveLength(1);
  });

  it('refuses a callback from another browser, and the flow is gone for the right one too', async () => {
    const victim = await logins.begin(undefined, { returnUrl: '/', prompt: null }, now);
    const attacker = await logins.begin(undefined, { returnUrl: '/', prompt: null }, now);
    expect((await logins.finish(cookieFrom(attacker.setCookie), victim.state)).flow).toBeUndefined();
    expect((await logins.finish(undefined, victim.state)).flow).toBeUndefined();
  });

  it('runs two tabs’ flows side by side and clears the cookie only after the last one', async () => {
    const first = await logins.begin(undefined, { returnUrl: '/a', prompt: null }, now);
    const cookie = cookieFrom(first.setCookie);
    const second = await logins.begin(cookie, { returnUrl: '/b', prompt: null }, now);
    expect(cookieFrom(second.setCookie)).toBe(cookie);
    const one = await logins.finish(cookie, second.state);
    expect(one).toMatchObject({ flow: { returnUrl: '/b' }, setCookie: undefined });
    const two = await logins.finish(cookie, first.state);
    expect(two.flow?.returnUrl).toBe('/a');
    expect(two.setCookie).toMatch(/Max-Age=0$/);
  });

  it('keeps at most five flows per browser, evicting the oldest, with one small cookie', async () => {
    let cookie: string | undefined;
    const states: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      now += 1000;
      const begun = await logins.begin(cookie, { returnUrl: `/p${i}`, prompt: 'none' }, now);
      cookie = cookieFrom(begun.setCookie);
      states.push(begun.state);
    }
    expect(cookie?.length).toBeLessThan(100);
    expect((await logins.finish(cookie, states[0])).flow).toBeUndefined();
    expect((await logins.finish(cookie, states[19])).flow?.returnUrl).toBe('/p19');
    for (const state of states.slice(15, 19)) expect((await logins.finish(cookie, state)).flow).toBeDefined();
  });

  it('expires a flow after ten minutes', async () => {
    const begun = await logins.begin(undefined, { returnUrl: '/', prompt: null }, now);
    now += 601_000;
    expect((await logins.finish(cookieFrom(begun.setCookie), begun.state)).flow).toBeUndefined();
  });

  it.each([
    ['no state', undefined],
    ['a hostile state', 'x'.repeat(100_000)],
    ['a state with a newline', 'a\nb'],
  ])('finds no flow for %s, without an error', async (_, state) => {
    const begun = await logins.begin(undefined, { returnUrl: '/', prompt: null }, now);
    expect((await logins.finish(cookieFrom(begun.setCookie), state)).flow).toBeUndefined();
  });

  it('keeps the verifier, the nonce and the replaced session sealed, opening only for its own state', async () => {
    const replacesSessionKey = randomBytes(32).toString('base64url');
    const begun = await logins.begin(undefined, { returnUrl: '/', prompt: null, replacesSessionKey }, now);
    const stored = JSON.stringify(await store.get('bff_login', begun.state));
    expect(stored).not.toContain(begun.nonce);
    expect(stored).not.toContain(replacesSessionKey);
    const finished = await logins.finish(cookieFrom(begun.setCookie), begun.state);
    expect(finished.flow).toMatchObject({ nonce: begun.nonce, replacesSessionKey });
    expect(stored).not.toContain(finished.flow?.codeVerifier);
  });

  it('finds no flow whose secrets were sealed under a key no longer configured', async () => {
    const begun = await logins.begin(undefined, { returnUrl: '/', prompt: null }, now);
    const rotated = new LoginTransactions(store, createTokenCipher([randomBytes(32).toString('base64url')]));
    const finished = await rotated.finish(cookieFrom(begun.setCookie), begun.state);
    expect(finished.flow).toBeUndefined();
    expect(finished.setCookie).toMatch(/Max-Age=0$/);
  });
});
