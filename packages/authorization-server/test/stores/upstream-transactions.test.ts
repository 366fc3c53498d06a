import { randomBytes } from 'node:crypto';
import { openMemoryStore } from '@gatehouse/store';
import { describe, expect, it } from 'vitest';
import { createSealer } from '../../src/primitives/sealing.js';
import { bindingCookieName, UpstreamTransactions } from '../../src/stores/upstream-transactions.js';

const cookieOf = (setCookie: string) => setCookie.split(';')[0] as string;

describe('upstream transactions', () => {
  const now = () => Date.parse('2030-01-01T00:00:00Z');
  const sealer = () => createSealer([randomBytes(32).toString('base64url')], 'upstream-transactions');

  it('keeps the PKCE verifier and nonce sealed in the store, and hands them back to the browser that started', async () => {
    const store = openMemoryStore({ now });
    const transactions = new UpstreamTransactions(store, sealer(), now);
    const started = await transactions.start(undefined, { upstream: 'social', purpose: 'login', interactionId: 'i1' });
    expect(started.setCookie.startsWith(`${bindingCookieName}=`)).toBe(true);
    const stored = JSON.stringify(await store.get('upstream-transactions', started.state));
    expect(stored).not.toContain(started.nonce);
    expect(stored).not.toContain('codeVerifier');

    const elsewhere = await transactions.start(undefined, { upstream: 'social', purpose: 'login' });
    expect((await transactions.finish(elsewhere.state, cookieOf(started.setCookie))).transaction).toBeUndefined();
    const finished = await transactions.finish(started.state, cookieOf(started.setCookie));
    expect(finished.transaction).toMatchObject({ upstream: 'social', purpose: 'login', interactionId: 'i1' });
    expect(finished.transaction?.nonce).toBe(started.nonce);
    expect(finished.transaction?.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(finished.setCookie).toMatch(/Max-Age=0$/);
  });

  it('finds nothing once the cookie secret that sealed it is retired', async () => {
    const store = openMemoryStore({ now });
    const started = await new UpstreamTransactions(store, sealer(), now).start(undefined, {
      upstream: 'social',
      purpose: 'link',
      linkSub: 'u1',
    });
    const rotated = new UpstreamTransactions(store, sealer(), now);
    expect((await rotated.finish(started.state, cookieOf(started.setCookie))).transaction).toBeUndefined();
  });
});
