import { openMemoryStore, type Store, StoreUnavailableError } from '@gatehouse/store';
import { basicAuthorization, confidentialClient, obtainTokens, postForm, refreshRequest } from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ObservedServer, observedServer } from './observed-server.js';

// Issue #17: the authorization server's own counters keep closed label sets, whatever a client
// sends or the store does. Over loopback HTTP.

/** A memory store that fails every call with `StoreUnavailableError` while `outage.down` is set. */
function interruptibleStore(inner: Store, outage: { down: boolean }): Store {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inner)) {
    wrapped[name] =
      typeof value === 'function' && name !== 'close'
        ? async (...args: unknown[]) => {
            if (outage.down) throw new StoreUnavailableError('the store is unreachable');
            return (value as (...a: unknown[]) => unknown).apply(inner, args);
          }
        : value;
  }
  return wrapped as unknown as Store;
}

describe('authorization server metrics', () => {
  let observed: ObservedServer;
  const outage = { down: false };
  beforeAll(async () => {
    observed = await observedServer({}, (clock) =>
      interruptibleStore(openMemoryStore({ now: clock.now, sweepIntervalMs: 0 }), outage),
    );
  });
  afterAll(() => observed.server.close());

  it('a stranger sending made-up grant types: one `other` series, never their value', async () => {
    for (let i = 0; i < 5; i += 1) {
      await postForm(
        observed.server,
        `${observed.server.issuer}/token`,
        { grant_type: `urn:made-up:${i}` },
        { authorization: basicAuthorization('web-app', confidentialClient.client_secret) },
      );
    }
    expect(
      await observed.metric('gatehouse_as_token_requests_total', {
        grant_type: 'other',
        outcome: 'unsupported_grant_type',
      }),
    ).toBe(5);
    expect(await observed.registry.metrics()).not.toContain('urn:made-up');
  });

  it('counts a token request the store could not serve as temporarily_unavailable, not as a refusal', async () => {
    const tokens = await obtainTokens(observed.server);
    outage.down = true;
    try {
      expect((await refreshRequest(observed.server, 'web-app', tokens.refresh_token as string)).status).toBe(503);
    } finally {
      outage.down = false;
    }
    expect(
      await observed.metric('gatehouse_as_token_requests_total', {
        grant_type: 'refresh_token',
        outcome: 'temporarily_unavailable',
      }),
    ).toBe(1);
  });
});
