import { ephemeralNamespaces } from '@gatehouse/authorization-server';
import { createMetricsRegistry, metricsRenderer } from '@gatehouse/server-kit';
import { openPostgresStore, openRedisStore, type Store, splitStore } from '@gatehouse/store';
import {
  ManualClock,
  obtainTokens,
  payloadOf,
  postgresUrl,
  type RunningAuthorizationServer,
  redisUrl,
  refreshRequest,
  requireService,
  runScopedName,
  startAuthorizationServer,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The attacker runs a client (or stole one's secret) and kept a refresh token the real client has
 * since rotated. Replaying it after the grace window must end the whole family — the real client's
 * successor too — and the operator must see it exactly once: one `refresh_token_reused` line at
 * warn naming the client and the account, one family revocation counted, however often the
 * attacker replays. And neither the log nor what Prometheus scrapes may hold a token the flow
 * issued. On the production stores: PostgreSQL (durable) + Redis (ephemeral), over loopback HTTP.
 */

interface LogLine {
  level: number;
  event?: string;
  [field: string]: unknown;
}

describe('a malicious client replaying a rotated refresh token', () => {
  let store: Store | undefined;
  let server: RunningAuthorizationServer;
  const clock = new ManualClock();
  const lines: LogLine[] = [];
  const registry = createMetricsRegistry();
  const scrape = metricsRenderer(registry);

  beforeAll(async () => {
    if (!(await requireService('PostgreSQL', postgresUrl)) || !(await requireService('Redis', redisUrl))) return;
    const durable = await openPostgresStore(postgresUrl, { schema: runScopedName('as_replay_') });
    const ephemeral = await openRedisStore(redisUrl, { keyPrefix: `${runScopedName('as-replay')}:` });
    store = splitStore({ durable, ephemeral, ephemeralNamespaces });
    server = await startAuthorizationServer(
      {},
      {
        store,
        now: clock.now,
        logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) } },
        metricsRegistry: registry,
      },
    );
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  it('produces exactly one refresh_token_reused event and one family revocation, and no token in the log or the metrics', async (test) => {
    if (!store) return test.skip();
    const tokens = await obtainTokens(server);
    const sub = payloadOf(tokens.id_token as string).sub;
    const stolen = tokens.refresh_token as string;
    const rotated = await refreshRequest(server, 'web-app', stolen);
    expect(rotated.status).toBe(200);
    const successor = (await rotated.json()) as { access_token: string; refresh_token: string; id_token: string };
    clock.advance(31); // past refreshGraceSeconds: the stolen token is history, not a retry

    const replays: number[] = [];
    for (let i = 0; i < 5; i += 1) replays.push((await refreshRequest(server, 'web-app', stolen)).status);
    expect(replays).toEqual([400, 400, 400, 400, 400]);
    // The family is revoked: the real client's successor is dead too.
    expect((await refreshRequest(server, 'web-app', successor.refresh_token)).status).toBe(400);

    const reused = lines.filter((line) => line.event === 'refresh_token_reused');
    expect(reused).toHaveLength(1);
    expect(reused[0]).toMatchObject({ level: 40, client_id: 'web-app', sub });
    const revoked = lines.filter((line) => line.event === 'token_family_revoked');
    expect(revoked).toEqual([expect.objectContaining({ cause: 'refresh_token_reused', client_id: 'web-app', sub })]);

    const { body } = await scrape();
    expect(body).toContain('gatehouse_as_token_family_revocations_total{cause="refresh_token_reused"} 1');
    expect(body).toContain('gatehouse_as_refresh_tokens_total{outcome="reused"} 1');
    expect(body).toContain('gatehouse_as_security_events_total{event="refresh_token_reused"} 1');

    const logged = lines.map((line) => JSON.stringify(line)).join('\n');
    const issued = [
      tokens.issued.code,
      tokens.access_token,
      stolen,
      tokens.id_token as string,
      successor.access_token,
      successor.refresh_token,
      successor.id_token,
    ];
    for (const value of issued) {
      expect(logged).not.toContain(value);
      expect(body).not.toContain(value);
      // The random part alone, should a line carry a piece of it.
      expect(logged).not.toContain(value.slice(-16));
    }
  });
});
