import { randomBytes } from 'node:crypto';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { scriptedBffClient, startScriptedProvider } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A stranger floods the BFF's readiness endpoint from one address, as a scanner or a misconfigured
 * probe would: `/readyz` checks the store, so each probe costing a store round trip would turn the
 * flood into store load. The answer is cached for a second and shared by concurrent probes, never
 * rate limited (a load balancer's probes must not be refused), and spends nobody's limits.
 */

let provider: Awaited<ReturnType<typeof startScriptedProvider>> | undefined;
let bff: FastifyInstance | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.destroy();
  await bff?.close();
  await provider?.stop();
});

/** A BFF on a real port whose store counts the pings it gets. */
async function startBff(overrides: Record<string, unknown> = {}): Promise<{ origin: string; pings: () => number }> {
  provider = await startScriptedProvider(scriptedBffClient);
  const memory = openMemoryStore();
  let pings = 0;
  const store: Store = {
    ...memory,
    ping: () => {
      pings += 1;
      return memory.ping();
    },
  };
  const config = loadBffConfig({
    publicUrl: 'http://localhost:3000',
    issuer: provider.issuer,
    ...scriptedBffClient,
    scopes: ['openid'],
    tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
    store: 'memory',
    // The tightest limit there is: one sign-in started per source a minute.
    rateLimits: { login: { limit: 1 } },
    ...overrides,
  });
  bff = await createBff(config, { store });
  bff.addHook('onClose', () => memory.close());
  await bff.listen({ port: 0, host: '127.0.0.1' });
  agent = new Agent({ connections: 20 });
  return { origin: `http://127.0.0.1:${(bff.server.address() as { port: number }).port}`, pings: () => pings };
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

describe('a stranger flooding /readyz on the BFF', () => {
  it('gets 200 for each of 2000 probes, never 429, at a cost of one store ping per second', async () => {
    const { origin, pings } = await startBff();
    const { statuses, elapsedMs } = await flood(`${origin}/readyz`, 2000);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(pings()).toBeGreaterThanOrEqual(1);
    expect(pings()).toBeLessThanOrEqual(Math.ceil(elapsedMs / 1000) + 1);
  }, 60_000); // 2000 requests take a few seconds on a loaded machine

  it('spends nobody’s rate limit: a sign-in from the same address still starts after the flood', async () => {
    const { origin } = await startBff();
    await flood(`${origin}/readyz`, 300);
    await flood(`${origin}/healthz`, 300);
    const login = await request(`${origin}/bff/login?returnUrl=/`, {
      dispatcher: agent,
      headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    });
    await login.body.dump();
    expect(login.statusCode).toBe(302);
  });

  it('gets 404 and costs no ping on the public port when health is served on the metrics listener', async () => {
    const { origin, pings } = await startBff({
      metrics: { enabled: true, port: 0 },
      health: { listener: 'metrics' },
    });
    const { statuses } = await flood(`${origin}/readyz`, 200);
    expect(new Set(statuses)).toEqual(new Set([404]));
    expect(pings()).toBe(0);
  });
});
