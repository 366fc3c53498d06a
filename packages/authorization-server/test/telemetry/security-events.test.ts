import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from '@gatehouse/server-kit';
import {
  type AuthorizationServerUnderTest,
  basicAuthorization,
  confidentialClient,
  csrfOf,
  demoUser,
  obtainTokens,
  payloadOf,
  postForm,
  publicClient,
  refreshRequest,
  signInAtLoginPage,
  TestBrowser,
  webAppLogoutRedirect,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openAuthorizationServerAdmin } from '../../src/admin.js';
import { loadAuthorizationServerConfig } from '../../src/config/as-config.js';
import { type ObservedServer, observedServer } from './observed-server.js';

// Issue #17: security events are log lines with a stable `event` field (the audit trail a SIEM
// ingests), counted in the server's metrics; neither ever holds a token, code, secret or password.
// Real flows over loopback HTTP, every log line captured.

const cookieSecret = 'test-cookie-secret-0123456789abcdefghij';

/** A back-channel logout receiver: answers `status`, and remembers each logout token's arrival. */
async function logoutReceiver(status: number): Promise<{ url: string; received: number; close(): Promise<void> }> {
  const receiver = { url: '', received: 0, close: (): Promise<void> => Promise.resolve() };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      receiver.received += 1;
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}

describe('security events', () => {
  let observed: ObservedServer;
  let server: AuthorizationServerUnderTest;
  let registry: Registry;
  let delivered: Awaited<ReturnType<typeof logoutReceiver>>;
  let refused: Awaited<ReturnType<typeof logoutReceiver>>;
  /** Values that must appear in no log line and no metric. */
  const secrets: string[] = [];

  beforeAll(async () => {
    delivered = await logoutReceiver(200);
    refused = await logoutReceiver(400);
    observed = await observedServer({
      clients: [
        { ...confidentialClient, backchannel_logout_uri: delivered.url },
        { ...publicClient, backchannel_logout_uri: refused.url },
      ],
    });
    server = observed.server;
    registry = observed.registry;
    secrets.push(demoUser.password, confidentialClient.client_secret);
  });
  afterAll(async () => {
    await server.close();
    await delivered.close();
    await refused.close();
  });
  beforeEach(() => {
    observed.lines.length = 0;
    registry.resetMetrics();
  });

  /** Every value of `tokens` is a secret from now on. */
  const remember = (tokens: object) => {
    for (const [field, value] of Object.entries(tokens)) {
      if (typeof value === 'string' && /token|code/.test(field)) secrets.push(value);
    }
  };

  async function expectNoSecretLogged() {
    const logged = JSON.stringify(observed.lines);
    const exposition = await registry.metrics();
    for (const secret of secrets) {
      expect(logged).not.toContain(secret);
      expect(exposition).not.toContain(secret);
    }
  }

  it('a malicious client replaying a rotated refresh token: one refresh_token_reused, one family revoked, no token logged', async () => {
    const tokens = await obtainTokens(server);
    remember(tokens);
    remember({ code: tokens.issued.code });
    const sub = payloadOf(tokens.id_token as string).sub;
    const rotated = await refreshRequest(server, 'web-app', tokens.refresh_token as string);
    expect(rotated.status).toBe(200);
    const successor = (await rotated.json()) as Record<string, string>;
    remember(successor);
    server.clock.advance(31); // past the grace window: the old token is history

    const replayed = await refreshRequest(server, 'web-app', tokens.refresh_token as string);
    expect(replayed.status).toBe(400);
    // The family is gone: the rotated successor the real client holds no longer works either.
    expect((await refreshRequest(server, 'web-app', successor.refresh_token as string)).status).toBe(400);

    const reused = observed.events('refresh_token_reused');
    expect(reused).toHaveLength(1);
    expect(reused[0]).toMatchObject({ level: 40, client_id: 'web-app', sub });
    expect(observed.events('token_family_revoked')).toEqual([
      expect.objectContaining({ level: 30, client_id: 'web-app', sub, cause: 'refresh_token_reused' }),
    ]);
    expect(
      await observed.metric('gatehouse_as_token_family_revocations_total', { cause: 'refresh_token_reused' }),
    ).toBe(1);
    expect(await observed.metric('gatehouse_as_refresh_tokens_total', { outcome: 'reused' })).toBe(1);
    expect(await observed.metric('gatehouse_as_refresh_tokens_total', { outcome: 'rotated' })).toBe(1);
    expect(await observed.metric('gatehouse_as_refresh_tokens_total', { outcome: 'invalid' })).toBe(1);
    expect(
      await observed.metric('gatehouse_as_token_requests_total', {
        grant_type: 'refresh_token',
        outcome: 'invalid_grant',
      }),
    ).toBe(2);
    expect(
      await observed.metric('gatehouse_as_token_requests_total', { grant_type: 'refresh_token', outcome: 'issued' }),
    ).toBe(1);
    expect(await observed.metric('gatehouse_as_security_events_total', { event: 'refresh_token_reused' })).toBe(1);
    await expectNoSecretLogged();
  });

  it('counts a retry within the grace window as retried, with no reuse event', async () => {
    const tokens = await obtainTokens(server);
    remember(tokens);
    const first = await refreshRequest(server, 'web-app', tokens.refresh_token as string);
    const retry = await refreshRequest(server, 'web-app', tokens.refresh_token as string);
    expect([first.status, retry.status]).toEqual([200, 200]);
    remember((await first.json()) as Record<string, unknown>);
    expect(await observed.metric('gatehouse_as_refresh_tokens_total', { outcome: 'retried' })).toBe(1);
    expect(observed.events('refresh_token_reused')).toEqual([]);
    expect(observed.events('token_family_revoked')).toEqual([]);
  });

  it('a replayed authorization code: authorization_code_replayed and its family revoked', async () => {
    const tokens = await obtainTokens(server);
    remember(tokens);
    const replay = await postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'authorization_code', code: tokens.issued.code, redirect_uri: tokens.issued.redirectUri },
      { authorization: basicAuthorization('web-app', confidentialClient.client_secret) },
    );
    expect(replay.status).toBe(400);
    expect(observed.events('authorization_code_replayed')).toEqual([
      expect.objectContaining({ level: 40, client_id: 'web-app' }),
    ]);
    expect(await observed.metric('gatehouse_as_token_family_revocations_total', { cause: 'code_replayed' })).toBe(1);
    await expectNoSecretLogged();
  });

  it('sign-ins by password: succeeded with the account id, failed without the email or the password', async () => {
    const wrong = 'not the password of alice 42';
    secrets.push(wrong);
    expect((await signInAtLoginPage(server, new TestBrowser(), { ...demoUser, password: wrong })).status).toBe(400);
    const browser = server.browser();
    expect((await signInAtLoginPage(server, browser)).status).toBe(303);

    const [failed] = observed.events('sign_in_failed');
    expect(failed).toMatchObject({
      level: 30,
      method: 'password',
      reason: 'invalid_credentials',
      source_address: '127.0.0.1',
    });
    const [succeeded] = observed.events('sign_in_succeeded');
    expect(succeeded).toMatchObject({ level: 30, method: 'password', sub: expect.any(String) });
    expect(JSON.stringify(observed.lines.filter((line) => line.event))).not.toContain(demoUser.email);
    expect(await observed.metric('gatehouse_as_sign_ins_total', { method: 'password', result: 'succeeded' })).toBe(1);
    expect(
      await observed.metric('gatehouse_as_sign_ins_total', { method: 'password', result: 'invalid_credentials' }),
    ).toBe(1);
    await expectNoSecretLogged();
  });

  it('a client guessing its secret: client_authentication_failed at warn, the guess never logged', async () => {
    const guess = 'a guessed secret 0123456789abcdefghijk';
    secrets.push(guess);
    const response = await postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials' },
      { authorization: basicAuthorization('web-app', guess) },
    );
    expect(response.status).toBe(401);
    expect(observed.events('client_authentication_failed')).toEqual([
      expect.objectContaining({
        level: 40,
        client_id: 'web-app',
        method: 'client_secret_basic',
        reason: 'invalid_credentials',
        source_address: '127.0.0.1',
      }),
    ]);
    expect(
      await observed.metric('gatehouse_as_token_requests_total', {
        grant_type: 'client_credentials',
        outcome: 'invalid_client',
      }),
    ).toBe(1);
    await expectNoSecretLogged();
  });

  it('consent revoked from the profile, and granted again at the consent page', async () => {
    const tokens = await obtainTokens(server);
    remember(tokens);
    const sub = payloadOf(tokens.id_token as string).sub;
    const browser = tokens.issued.browser;
    const profile = await (await browser.navigate(`${server.issuer}/profile`)).text();
    const revoked = await browser.post(`${server.issuer}/profile/revoke`, {
      csrf: csrfOf(profile, `${server.issuer}/profile`),
      client_id: 'web-app',
    });
    expect(revoked.status).toBe(303);
    // A client the user never consented to: nothing happened, nothing to record.
    await browser.post(`${server.issuer}/profile/revoke`, {
      csrf: csrfOf(profile, `${server.issuer}/profile`),
      client_id: 'no-such-client',
    });
    expect(observed.events('consent_revoked')).toEqual([expect.objectContaining({ sub, client_id: 'web-app' })]);

    remember(await obtainTokens(server, { browser }));
    expect(observed.events('consent_granted')).toEqual([
      expect.objectContaining({ level: 30, sub, client_id: 'web-app', scope: expect.stringContaining('api') }),
    ]);
  });

  it('sign-out: signed_out, and back-channel logout delivered to one client and refused by the other', async () => {
    const browser = server.browser();
    const webApp = await obtainTokens(server, { browser });
    const spa = await obtainTokens(server, { browser, client: 'spa' });
    remember(webApp);
    remember(spa);
    const sub = payloadOf(webApp.id_token as string).sub;
    const logout = await browser.navigate(
      `${server.issuer}/logout?${new URLSearchParams({
        id_token_hint: webApp.id_token as string,
        post_logout_redirect_uri: webAppLogoutRedirect,
      })}`,
    );
    expect(logout.status).toBe(303);
    await vi.waitFor(
      () => {
        expect(observed.events('backchannel_logout_sent')).toHaveLength(1);
        expect(observed.events('backchannel_logout_failed')).toHaveLength(1);
      },
      { timeout: 5000 },
    );
    expect(delivered.received).toBeGreaterThanOrEqual(1);
    expect(observed.events('signed_out')).toEqual([
      expect.objectContaining({ level: 30, sub, cause: 'logout', clients: 2 }),
    ]);
    expect(observed.events('backchannel_logout_sent')[0]).toMatchObject({ client_id: 'web-app', sub });
    expect(observed.events('backchannel_logout_failed')[0]).toMatchObject({
      level: 40,
      client_id: 'spa',
      reason: 'refused',
      status: 400,
    });
    expect(await observed.metric('gatehouse_as_backchannel_logouts_total', { result: 'delivered' })).toBe(1);
    expect(await observed.metric('gatehouse_as_backchannel_logouts_total', { result: 'refused' })).toBe(1);
    await expectNoSecretLogged();
  });

  it('a signing key rotated by the CLI: published, then activated, and the key-ring gauges follow', async () => {
    const jwksSize = async () =>
      ((await (await server.fetch(`${server.issuer}/jwks`)).json()) as { keys: [] }).keys.length;
    const before = await jwksSize();
    expect(await observed.metric('gatehouse_as_signing_keys_published')).toBe(before);
    const ageBefore = await observed.metric('gatehouse_as_active_signing_key_age_seconds', { alg: 'ES256' });

    const config = loadAuthorizationServerConfig({
      issuer: server.issuer,
      store: 'memory',
      cookieSecrets: [cookieSecret],
    });
    const admin = await openAuthorizationServerAdmin(config, { store: server.store, now: server.clock.now });
    const { kids } = await admin.rotateKeys();
    await admin.close();
    server.clock.advance(61); // past the reload interval, should no announcement reach this instance
    await vi.waitFor(async () => expect(await jwksSize()).toBe(before + kids.length));
    const published = observed.events('signing_key_published');
    expect(published.map((line) => line.kid).sort()).toEqual([...kids].sort());
    expect(published[0]).toMatchObject({ level: 30, alg: expect.any(String), activates_at: expect.any(String) });
    expect(await observed.metric('gatehouse_as_signing_keys_published')).toBe(before + kids.length);
    expect(await observed.metric('gatehouse_as_active_signing_key_age_seconds', { alg: 'ES256' })).toBeGreaterThan(
      ageBefore,
    );

    server.clock.advance(config.keyActivationDelaySeconds);
    const signed = await postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials', scope: 'api' },
      { authorization: basicAuthorization('web-app', confidentialClient.client_secret) },
    );
    expect(signed.status).toBe(200);
    const activated = observed.events('signing_key_activated');
    expect(activated).toHaveLength(1);
    expect(kids).toContain(activated[0]?.kid);
    // It activated 61 s ago, when the clock jumped past the activation delay.
    expect(
      await observed.metric('gatehouse_as_active_signing_key_age_seconds', { alg: String(activated[0]?.alg) }),
    ).toBeCloseTo(61, 3);
  });
});
