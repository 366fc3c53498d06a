import { openMemoryStore, type Store } from '@gatehouse/store';
import { type AuthorizationServerUnderTest, listenAuthorizationServer } from '@gatehouse/test-kit';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A stranger floods the authorization server's readiness endpoint from one address: each probe that
 * cost a store round trip would turn the flood into load on the store every instance shares. The
 * answer is cached for a second and shared by concurrent probes, and never rate limited.
 */

let server: AuthorizationServerUnderTest | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.destroy();
  await server?.close();
});

async function start(overrides: Record<string, unknown> = {}): Promise<{ pings: () => number }> {
  let pings = 0;
  server = await listenAuthorizationServer(overrides, {
    store: (clock) => {
      const memory = openMemoryStore({ now: clock.now, sweepIntervalMs: 0 });
      return {
        ...memory,
        ping: () => {
          pings += 1;
          return memory.ping();
        },
      } satisfies Store;
    },
  });
  agent = new Agent({ connections: 20 });
  return { pings: () => pings };
}

async function flood(url: string, count: number): Promise<{ statuses: number[]; elapsedMs: number }> {
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: count }, async () => {
      const answer = await request(url, { dispatcher: agent });
      await answer.body.dump();
      return answer.statusCode;
    }),
  );
  return { statuses, elapsedMs: performance.now() - started };
}

describe('a stranger flooding /readyz on the authorization server', () => {
  it('gets 200 for each of 2000 probes, never 429, at a cost of one store ping per second', async () => {
    const { pings } = await start();
    const { statuses, elapsedMs } = await flood(`${server?.issuer}/readyz`, 2000);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(pings()).toBeGreaterThanOrEqual(1);
    expect(pings()).toBeLessThanOrEqual(Math.ceil(elapsedMs / 1000) + 1);
  }, 60_000); // 2000 requests take a few seconds on a loaded machine

  it('gets 404 and costs no ping on the public port when health is served on the metrics listener', async () => {
    const { pings } = await start({ metrics: { enabled: true, port: 0 }, health: { listener: 'metrics' } });
    const { statuses } = await flood(`${server?.issuer}/readyz`, 200);
    expect(new Set(statuses)).toEqual(new Set([404]));
    expect(pings()).toBe(0);
  });
});
