import { ephemeralNamespaces } from '@gatehouse/authorization-server';
import { openPostgresStore, openRedisStore, splitStore } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  csrfOf,
  demoUser,
  listenAuthorizationServer,
  obtainTokens,
  postForm,
  postgresUrl,
  redisUrl,
  refreshRequest,
  requireService,
  runScopedName,
  type TokenSet,
  webAppAuthorization,
} from '@gatehouse/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * The attacker operates `web-app` (it holds the secret) and attacks the refresh-token families
 * (`<family>.<generation>.<MAC>`, one record per family) over loopback HTTP: replaying rotated
 * generations, forging generations and MACs, splicing family ids, racing one token, presenting a
 * token as another client, and refreshing after the user took the grant away.
 */

function parts(token: string): { family: string; generation: number; mac: string } {
  const [family, generation, mac] = token.split('.');
  return { family: family as string, generation: Number(generation), mac: mac as string };
}

async function refreshed(server: AuthorizationServerUnderTest, token: string): Promise<TokenSet> {
  const response = await refreshRequest(server, 'web-app', token);
  expect(response.status).toBe(200);
  return (await response.json()) as TokenSet;
}

async function refusedAsInvalidGrant(
  server: AuthorizationServerUnderTest,
  token: string,
  client: 'web-app' | 'spa' = 'web-app',
) {
  const response = await refreshRequest(server, client, token);
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
}

describe('a malicious client operator forging and replaying refresh tokens', () => {
  let server: AuthorizationServerUnderTest;
  beforeEach(async () => {
    server = await listenAuthorizationServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('a rotated generation replayed after the grace window revokes the family (the successor dies too)', async () => {
    const first = (await obtainTokens(server)).refresh_token as string;
    const second = (await refreshed(server, first)).refresh_token as string;
    const third = (await refreshed(server, second)).refresh_token as string;
    server.clock.advance(31);
    await refusedAsInvalidGrant(server, first);
    await refusedAsInvalidGrant(server, third);
    await refusedAsInvalidGrant(server, second);
  });

  it('two generations back is reuse even within the grace window', async () => {
    const first = (await obtainTokens(server)).refresh_token as string;
    const second = (await refreshed(server, first)).refresh_token as string;
    const third = (await refreshed(server, second)).refresh_token as string;
    await refusedAsInvalidGrant(server, first);
    await refusedAsInvalidGrant(server, third);
  });

  it('the previous token within the grace window gets the same successor; once the successor is used it is reuse', async () => {
    const first = (await obtainTokens(server)).refresh_token as string;
    const second = (await refreshed(server, first)).refresh_token as string;
    server.clock.advance(10);
    expect((await refreshed(server, first)).refresh_token).toBe(second);
    expect((await refreshed(server, first)).refresh_token).toBe(second);
    const third = (await refreshed(server, second)).refresh_token as string;
    expect(third).not.toBe(second);
    // `first` is now two generations back: reuse, the family ends.
    await refusedAsInvalidGrant(server, first);
    await refusedAsInvalidGrant(server, third);
  });

  it('a retry after the grace window is reuse and revokes', async () => {
    const first = (await obtainTokens(server)).refresh_token as string;
    const second = (await refreshed(server, first)).refresh_token as string;
    server.clock.advance(29);
    expect((await refreshed(server, first)).refresh_token).toBe(second);
    server.clock.advance(2);
    await refusedAsInvalidGrant(server, first);
    await refusedAsInvalidGrant(server, second);
  });

  it('forged generations and MACs are refused and do not count as reuse (the family lives on)', async () => {
    const first = (await obtainTokens(server)).refresh_token as string;
    const second = (await refreshed(server, first)).refresh_token as string;
    const { family, generation, mac } = parts(second);
    const forgedMac = `${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    const forgeries = [
      `${family}.${generation + 1}.${mac}`, // next generation, this one's MAC
      `${family}.${generation + 5}.${parts(first).mac}`,
      `${family}.${generation}.${forgedMac}`,
      `${family}.0.${forgedMac}`, // an old generation with a bad MAC must not trigger revocation
      `${family}.00.${parts(first).mac}`,
      `${family}.${generation}.${mac}=`,
      `${family}.-1.${mac}`,
      `${family}.999999999.${mac}`,
      `${family}.1e0.${mac}`,
      `${family}..${mac}`,
      `family.${family}.${generation}.${mac}`,
    ];
    for (const forged of forgeries) await refusedAsInvalidGrant(server, forged);
    server.clock.advance(31);
    for (const forged of forgeries) await refusedAsInvalidGrant(server, forged);
    // None of that was reuse: the real token still rotates.
    expect((await refreshed(server, second)).refresh_token).toBeDefined();
  });

  it('a family id spliced onto another family generation and MAC is refused; neither family is revoked', async () => {
    const a = (await obtainTokens(server)).refresh_token as string;
    const b = (await obtainTokens(server)).refresh_token as string;
    expect(parts(a).family).not.toBe(parts(b).family);
    const aNext = (await refreshed(server, a)).refresh_token as string;
    server.clock.advance(31);
    // b's generation-0 MAC under a's family id: a's generation 0 has been rotated, so a
    // mis-verification here would be a reuse and revoke a.
    await refusedAsInvalidGrant(server, `${parts(a).family}.0.${parts(b).mac}`);
    await refusedAsInvalidGrant(server, `${parts(b).family}.1.${parts(aNext).mac}`);
    await refusedAsInvalidGrant(server, `${parts(b).family}.0.${parts(a).mac}`);
    expect((await refreshed(server, aNext)).refresh_token).toBeDefined();
    expect((await refreshed(server, b)).refresh_token).toBeDefined();
  });

  it("another client presenting web-app's token (current or rotated) gets invalid_grant and revokes nothing", async () => {
    const first = (await obtainTokens(server)).refresh_token as string;
    const second = (await refreshed(server, first)).refresh_token as string;
    server.clock.advance(31);
    await refusedAsInvalidGrant(server, second, 'spa');
    await refusedAsInvalidGrant(server, first, 'spa');
    // The revocation endpoint does not let the other client end it either.
    for (const token of [first, second]) {
      const answer = await postForm(server, `${server.issuer}/revoke`, { token, client_id: 'spa' });
      expect([200, 400, 401]).toContain(answer.status);
    }
    expect((await refreshed(server, second)).refresh_token).toBeDefined();
  });

  it("web-app presenting the spa's family gets invalid_grant", async () => {
    const spa = (await obtainTokens(server, { client: 'spa' })).refresh_token as string;
    expect(spa).toBeDefined();
    const spaNext = (await (await refreshRequest(server, 'spa', spa)).json()) as TokenSet;
    server.clock.advance(31);
    // A rotated spa token presented by web-app: not the spa's reuse (nothing revoked), just invalid.
    await refusedAsInvalidGrant(server, spa, 'web-app');
    await refusedAsInvalidGrant(server, spaNext.refresh_token as string, 'web-app');
    expect((await refreshRequest(server, 'spa', spaNext.refresh_token as string)).status).toBe(200);
  });

  it('concurrent uses of one token rotate it exactly once: every answer carries the same successor', async () => {
    const first = (await obtainTokens(server)).refresh_token as string;
    const responses = await Promise.all(Array.from({ length: 25 }, () => refreshRequest(server, 'web-app', first)));
    expect(responses.map((response) => response.status)).toEqual(Array(25).fill(200));
    const successors = new Set(
      await Promise.all(responses.map(async (response) => ((await response.json()) as TokenSet).refresh_token)),
    );
    expect(successors.size).toBe(1);
    const successor = [...successors][0] as string;
    expect(parts(successor).generation).toBe(1);
    const next = (await refreshed(server, successor)).refresh_token as string;
    expect(parts(next).generation).toBe(2);
  });

  it('concurrent uses of the successor and its predecessor never fork the family', async () => {
    const first = (await obtainTokens(server)).refresh_token as string;
    const second = (await refreshed(server, first)).refresh_token as string;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refreshRequest(server, 'web-app', i % 2 ? first : second)),
    );
    const bodies = await Promise.all(
      responses.map(async (r) => ({ status: r.status, body: (await r.json()) as TokenSet })),
    );
    const tokens = new Set(bodies.filter((b) => b.status === 200).map((b) => b.body.refresh_token));
    // At most two tokens come out (gen 2, and gen 2 again for the retries; gen 1 for a retry of `first` that
    // read before the rotation) and at most one gen-2 token.
    const gen2 = [...tokens].filter((t) => parts(t as string).generation === 2);
    expect(gen2.length).toBeLessThanOrEqual(1);
  });

  it('a token of a grant revoked at the revocation endpoint is dead, a within-grace retry of its predecessor too', async () => {
    const first = (await obtainTokens(server)).refresh_token as string;
    const second = (await refreshed(server, first)).refresh_token as string;
    const revoked = await postForm(
      server,
      `${server.issuer}/revoke`,
      { token: second },
      { authorization: webAppAuthorization },
    );
    expect(revoked.status).toBe(200);
    await refusedAsInvalidGrant(server, second);
    await refusedAsInvalidGrant(server, first);
  });

  it('revoking a rotated generation at the revocation endpoint still ends the family', async () => {
    const first = (await obtainTokens(server)).refresh_token as string;
    const second = (await refreshed(server, first)).refresh_token as string;
    server.clock.advance(31);
    const revoked = await postForm(
      server,
      `${server.issuer}/revoke`,
      { token: first },
      { authorization: webAppAuthorization },
    );
    expect(revoked.status).toBe(200);
    await refusedAsInvalidGrant(server, second);
  });

  it('logout at the provider ends a family without offline_access (a within-grace retry too), and only that one', async () => {
    const online = await obtainTokens(server, { scope: 'openid profile api' });
    const offline = await obtainTokens(server, {
      scope: 'openid profile offline_access api',
      browser: online.issued.browser,
    });
    const first = online.refresh_token as string;
    expect(first).toBeDefined();
    const second = (await refreshed(server, first)).refresh_token as string;
    const browser = online.issued.browser;
    const profileUrl = `${server.issuer}/profile`;
    const page = await (await browser.navigate(profileUrl)).text();
    const response = await browser.post(`${server.issuer}/profile/logout`, { csrf: csrfOf(page, profileUrl) });
    expect(response.status).toBe(303);
    await refusedAsInvalidGrant(server, second);
    await refusedAsInvalidGrant(server, first);
    expect((await refreshed(server, offline.refresh_token as string)).refresh_token).toBeDefined();
  });

  describe('after the user took the grant away', () => {
    async function profileAction(
      tokens: Awaited<ReturnType<typeof obtainTokens>>,
      path: string,
      fields: Record<string, string>,
    ) {
      const browser = tokens.issued.browser;
      const profileUrl = `${server.issuer}/profile`;
      const page = await (await browser.navigate(profileUrl)).text();
      const response = await browser.post(`${server.issuer}${path}`, { csrf: csrfOf(page, profileUrl), ...fields });
      expect([200, 303]).toContain(response.status);
      return response;
    }

    for (const [name, path, fields] of [
      ['consent revoked on the profile page', '/profile/revoke', { client_id: 'web-app' }],
      [
        'password changed',
        '/profile/password',
        { current_password: demoUser.password, new_password: 'a brand new passphrase 0123' },
      ],
      ['account deleted', '/profile/delete', { confirm: 'DELETE' }],
    ] as const) {
      it(`${name}: neither the current token nor a within-grace retry of the previous one refreshes`, async () => {
        const tokens = await obtainTokens(server);
        const first = tokens.refresh_token as string;
        const second = (await refreshed(server, first)).refresh_token as string;
        // A concurrent burst in flight while the user acts must not leave a live successor behind.
        const burst = Promise.all(Array.from({ length: 5 }, () => refreshRequest(server, 'web-app', second)));
        await profileAction(tokens, path, fields);
        const during = await burst;
        const leaked = (
          await Promise.all(
            during.map(async (r) => (r.status === 200 ? ((await r.json()) as TokenSet).refresh_token : undefined)),
          )
        ).filter((t): t is string => t !== undefined);
        await refusedAsInvalidGrant(server, second);
        await refusedAsInvalidGrant(server, first);
        for (const token of new Set(leaked)) await refusedAsInvalidGrant(server, token);
        server.clock.advance(31);
        await refusedAsInvalidGrant(server, first);
      });
    }
  });
});

describe('a malicious client racing refresh tokens on PostgreSQL + Redis', () => {
  let server: AuthorizationServerUnderTest | undefined;
  beforeEach(async () => {
    if (!(await requireService('PostgreSQL', postgresUrl)) || !(await requireService('Redis', redisUrl))) return;
    const durable = await openPostgresStore(postgresUrl, { schema: runScopedName('as_rt_race_') });
    const ephemeral = await openRedisStore(redisUrl, { keyPrefix: `${runScopedName('as-rt-race')}:` });
    const store = splitStore({ durable, ephemeral, ephemeralNamespaces });
    server = await listenAuthorizationServer({}, { store: () => store });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('30 concurrent uses of one token: all answered with one and the same successor, which then rotates', async (test) => {
    if (!server) return test.skip();
    const running = server;
    const first = (await obtainTokens(running)).refresh_token as string;
    const responses = await Promise.all(Array.from({ length: 30 }, () => refreshRequest(running, 'web-app', first)));
    const bodies = await Promise.all(
      responses.map(async (r) => ({ status: r.status, body: (await r.json()) as TokenSet })),
    );
    expect(bodies.filter((b) => b.status !== 200)).toEqual([]);
    const successors = new Set(bodies.map((b) => b.body.refresh_token));
    expect(successors.size).toBe(1);
    const successor = [...successors][0] as string;
    expect(parts(successor).generation).toBe(1);
    expect((await refreshed(running, successor)).refresh_token).toBeDefined();
  }, 60_000);

  it('a reuse racing the real client: the family ends, no successor survives', async (test) => {
    if (!server) return test.skip();
    const running = server;
    const first = (await obtainTokens(running)).refresh_token as string;
    const second = (await refreshed(running, first)).refresh_token as string;
    running.clock.advance(31);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refreshRequest(running, 'web-app', i % 2 ? first : second)),
    );
    const survivors = (
      await Promise.all(
        responses.map(async (r) => (r.status === 200 ? ((await r.json()) as TokenSet).refresh_token : undefined)),
      )
    ).filter((t): t is string => t !== undefined);
    for (const token of new Set([second, ...survivors])) await refusedAsInvalidGrant(running, token);
  }, 60_000);
});
