import { ServerLifecycle } from '@gatehouse/server-kit';
import { generateKeyPair } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { BackchannelLogout, type BackchannelOptions } from '../../../src/services/logout/backchannel-logout.js';

const uri = 'https://rp.example/backchannel-logout';

/** A sender whose client endpoint never answers (each attempt ends only when its signal aborts). */
async function stallingSender(lifecycle: ServerLifecycle, timeoutMs = 60_000) {
  const { privateKey } = await generateKeyPair('RS256');
  const attempts: AbortSignal[] = [];
  const emit = vi.fn();
  const fetchStub = (_url: unknown, init?: RequestInit) =>
    new Promise<Response>((_resolve, reject) => {
      const signal = init?.signal as AbortSignal;
      attempts.push(signal);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  const options = {
    issuer: 'https://as.example',
    keys: { signingKey: async () => ({ kid: 'k1', key: privateKey }) },
    clients: { find: async () => ({ backchannel_logout_uri: uri }) },
    now: Date.now,
    fetch: fetchStub,
    timeoutMs,
    events: { emit },
    shutdown: lifecycle,
  } as unknown as BackchannelOptions;
  return { sender: new BackchannelLogout(options), attempts, emit };
}

describe('back-channel logout while the server stops', () => {
  it('abandons a delivery still running at the drain timeout, logged as unreachable, and settled() ends then', async () => {
    const lifecycle = new ServerLifecycle();
    const { sender, attempts, emit } = await stallingSender(lifecycle);
    sender.notify(['rp'], 'user-1', 'sid-1');
    await vi.waitFor(() => expect(attempts).toHaveLength(1));
    lifecycle.beginDrain();
    lifecycle.beginClose();
    const settled = sender.settled(lifecycle.drainSignal);
    setTimeout(() => lifecycle.endDrain(), 50);
    const started = performance.now();
    await settled;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(attempts[0]?.aborted).toBe(true);
    await sender.settled();
    expect(emit.mock.calls).toEqual([
      ['backchannel_logout_failed', { client_id: 'rp', sub: 'user-1', reason: 'unreachable' }],
    ]);
    expect(attempts).toHaveLength(1);
  });

  it('starts no retry once the server is stopping', async () => {
    const lifecycle = new ServerLifecycle();
    const { sender, attempts, emit } = await stallingSender(lifecycle, 100);
    sender.notify(['rp'], 'user-1', 'sid-1');
    await vi.waitFor(() => expect(attempts).toHaveLength(1));
    lifecycle.beginDrain();
    await sender.settled();
    expect(attempts).toHaveLength(1);
    expect(emit.mock.calls).toEqual([
      ['backchannel_logout_failed', { client_id: 'rp', sub: 'user-1', reason: 'unreachable' }],
    ]);
  });
});
