import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { LoginTransactionStore, type TransactionSealer } from '../src/login-transaction-store.js';

const cookieName = '__Host-test-login';
const namespace = 'test_login';

/** AES-256-GCM with the context as additional data; `undefined` when it does not open (as the AS's sealer). */
function testSealer(key = randomBytes(32)): TransactionSealer {
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealed, context) {
      const raw = Buffer.from(sealed, 'base64url');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(Buffer.from(context));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** The same, but throwing when it does not open (as the BFF's token cipher). */
function throwingSealer(): TransactionSealer {
  const inner = testSealer();
  return {
    seal: inner.seal,
    open(sealed, context) {
      const plaintext = inner.open(sealed, context);
      if (plaintext === undefined) throw new Error('does not open');
      return plaintext;
    },
  };
}

/** The `Cookie` header a browser sends back after this `Set-Cookie`. */
function cookieFrom(setCookie: string | undefined): string | undefined {
  const pair = setCookie?.split(';')[0];
  return pair && !pair.endsWith('=') ? pair : undefined;
}

type Details = { returnUrl: string; purpose?: string };
type Secrets = { replaces?: string };

describe('login transaction store', () => {
  let now: number;
  let store: Store;
  let flows: LoginTransactionStore<Details, Secrets>;
  beforeEach(() => {
    now = Date.parse('2030-01-01T00:00:00Z');
    store = openMemoryStore({ now: () => now });
    flows = new LoginTransactionStore(store, testSealer(), { namespace, cookieName, browserIndex: 'test-browser' });
  });

  it('draws a fresh 256-bit state, nonce and PKCE verifier, and binds the flow with a __Host- cookie (Lax, 10 min)', async () => {
    const begun = await flows.begin(undefined, { details: { returnUrl: '/a' } }, now);
    expect(begun.setCookie).toMatch(
      new RegExp(`^${cookieName}=[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600$`),
    );
    expect(begun.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(begun.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(begun.nonce).not.toBe(begun.state);
    const { transaction, setCookie } = await flows.finish(cookieFrom(begun.setCookie), begun.state);
    expect(transaction).toMatchObject({
      details: { returnUrl: '/a' },
      secrets: {},
      nonce: begun.nonce,
      createdAt: now,
    });
    const challenge = createHash('sha256')
      .update(transaction?.codeVerifier ?? '')
      .digest('base64url');
    expect(challenge).toBe(begun.codeChallenge);
    expect(setCookie).toBe(`${cookieName}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`);
  });

  it('refuses the callback in another browser, and the flow is gone for the right one too (login CSRF)', async () => {
    const victim = await flows.begin(undefined, { details: { returnUrl: '/' } }, now);
    const attacker = await flows.begin(undefined, { details: { returnUrl: '/' } }, now);
    expect((await flows.finish(cookieFrom(attacker.setCookie), victim.state)).transaction).toBeUndefined();
    expect((await flows.finish(undefined, victim.state)).transaction).toBeUndefined();
    expect((await flows.finish(cookieFrom(victim.setCookie), victim.state)).transaction).toBeUndefined();
  });

  it('refuses a replayed state, and gives the flow to exactly one of 20 concurrent callbacks', async () => {
    const begun = await flows.begin(undefined, { details: { returnUrl: '/' } }, now);
    const cookie = cookieFrom(begun.setCookie);
    const results = await Promise.all(Array.from({ length: 20 }, () => flows.finish(cookie, begun.state)));
    expect(results.filter((result) => result.transaction !== undefined)).toHaveLength(1);
    expect((await flows.finish(cookie, begun.state)).transaction).toBeUndefined();
  });

  it.each([
    ['no state', undefined],
    ['a short state', 'abc'],
    ['a hostile state', 'x'.repeat(100_000)],
    ['a state with a newline', `${'a'.repeat(21)}\n${'a'.repeat(21)}`],
  ])('does not look up %s', async (_, state) => {
    let takes = 0;
    const counting: Store = {
      ...store,
      take: (...args: Parameters<Store['take']>) => {
        takes += 1;
        return store.take(...args);
      },
    };
    const watched = new LoginTransactionStore<Details>(counting, testSealer(), {
      namespace,
      cookieName,
      browserIndex: 'test-browser',
    });
    const begun = await watched.begin(undefined, { details: { returnUrl: '/' } }, now);
    expect((await watched.finish(cookieFrom(begun.setCookie), state)).transaction).toBeUndefined();
    expect(takes).toBe(0);
  });

  it('keeps the verifier, the nonce and the caller’s secrets sealed at rest, the details in the clear', async () => {
    const replaces = randomBytes(32).toString('base64url');
    const begun = await flows.begin(undefined, { details: { returnUrl: '/r' }, secrets: { replaces } }, now);
    const stored = JSON.stringify(await store.get(namespace, begun.state));
    const { transaction } = await flows.finish(cookieFrom(begun.setCookie), begun.state);
    expect(transaction).toMatchObject({ secrets: { replaces }, nonce: begun.nonce });
    for (const secret of [begun.nonce, replaces, transaction?.codeVerifier as string]) {
      expect(stored).not.toContain(secret);
    }
    expect(stored).toContain('/r');
    expect(stored).not.toContain(cookieFrom(begun.setCookie)?.split('=')[1]); // only the binding's hash
  });

  it('refuses tampered sealed secrets, and sealed secrets moved from another flow', async () => {
    const browser = await flows.begin(undefined, { details: { returnUrl: '/' } }, now);
    const cookie = cookieFrom(browser.setCookie);
    const [one, two, three] = [browser, await flows.begin(cookie, { details: { returnUrl: '/' } }, now)].concat(
      await flows.begin(cookie, { details: { returnUrl: '/' } }, now),
    );
    const record = async (state: string) => (await store.get(namespace, state)) as Record<string, string>;
    const tampered = await record(one?.state as string);
    const sealed = Buffer.from(tampered.sealedSecrets as string, 'base64url');
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] as number) ^ 1;
    await store.put(namespace, one?.state as string, { ...tampered, sealedSecrets: sealed.toString('base64url') });
    expect((await flows.finish(cookie, one?.state)).transaction).toBeUndefined();

    const moved = await record(two?.state as string);
    await store.put(namespace, three?.state as string, moved); // two's secrets under three's state
    expect((await flows.finish(cookie, three?.state)).transaction).toBeUndefined();
    expect((await flows.finish(cookie, two?.state)).transaction).toBeDefined();
  });

  it('finds nothing once the key that sealed the secrets is gone, with a sealer that throws or one that answers undefined', async () => {
    for (const later of [testSealer(), throwingSealer()]) {
      const begun = await flows.begin(undefined, { details: { returnUrl: '/' } }, now);
      const rotated = new LoginTransactionStore<Details, Secrets>(store, later, {
        namespace,
        cookieName,
        browserIndex: 'test-browser',
      });
      const finished = await rotated.finish(cookieFrom(begun.setCookie), begun.state);
      expect(finished.transaction).toBeUndefined();
      expect(finished.setCookie).toMatch(/Max-Age=0$/);
    }
  });

  it('keeps five flows per browser: the sixth evicts the oldest, and the cookie stays one small value', async () => {
    let cookie: string | undefined;
    const states: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      now += 1_000;
      const begun = await flows.begin(cookie, { details: { returnUrl: `/p${i}` } }, now);
      expect(cookieFrom(begun.setCookie)).toBe(cookie ?? cookieFrom(begun.setCookie)); // renewed, same value
      cookie = cookieFrom(begun.setCookie);
      states.push(begun.state);
    }
    expect(cookie?.length).toBeLessThan(100);
    expect((await flows.finish(cookie, states[0])).transaction).toBeUndefined();
    for (const [i, state] of states.slice(1).entries()) {
      const finished = await flows.finish(cookie, state);
      expect(finished.transaction?.details.returnUrl).toBe(`/p${i + 1}`);
      // The binding is cleared with the last open flow only.
      expect(finished.setCookie === undefined).toBe(i < 4);
    }
  });

  it('evicts only its own browser’s flows, and honours another limit', async () => {
    const strict = new LoginTransactionStore<Details>(store, testSealer(), {
      namespace,
      cookieName,
      browserIndex: 'test-browser',
      maxPerBrowser: 1,
    });
    const other = await strict.begin(undefined, { details: { returnUrl: '/other' } }, now);
    const first = await strict.begin(undefined, { details: { returnUrl: '/1' } }, now);
    const second = await strict.begin(cookieFrom(first.setCookie), { details: { returnUrl: '/2' } }, now + 1);
    expect((await strict.finish(cookieFrom(first.setCookie), first.state)).transaction).toBeUndefined();
    expect((await strict.finish(cookieFrom(first.setCookie), second.state)).transaction).toBeDefined();
    expect((await strict.finish(cookieFrom(other.setCookie), other.state)).transaction).toBeDefined();
  });

  it('expires a flow after its ten minutes', async () => {
    const begun = await flows.begin(undefined, { details: { returnUrl: '/' } }, now);
    now += 601_000;
    const finished = await flows.finish(cookieFrom(begun.setCookie), begun.state);
    expect(finished.transaction).toBeUndefined();
    expect(finished.setCookie).toMatch(/Max-Age=0$/);
  });
});
