import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@gatehouse/test-kit';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Io, runGatehouse } from '../src/index.js';

/** Runs a server command in-process; `stop` is what SIGTERM does to the real process (main.ts). */
function gatehouse(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: string) => void = () => undefined;
  const io: Io = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stopSignal: new Promise((resolve) => {
      stop = resolve;
    }),
    readStdin: async () => '',
  };
  const done = runGatehouse(args, io).then((code) => ({ code, stdout: out.join('\n'), stderr: err.join('\n') }));
  return { done, stop: (signal = 'SIGTERM') => stop(signal), out };
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await sleep(20);
  }
}

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-graceful-stop-'));
const bffClient = {
  client_id: 'stop-test-bff',
  client_secret: 'stop-test-bff-secret-0123456789abcdef',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  scope: 'openid',
};

/**
 * Clients that keep calling `url` over kept-alive connections until told to stop: what a load
 * balancer's connection pool looks like to the server. Each answer is recorded; a refused or
 * closed connection after the listener closed is what the server may do, and ends that client.
 */
function keepAliveLoad(url: string, headers: Record<string, string> = {}, clients = 8) {
  const agent = new Agent({ connections: clients, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
  /** `sentAt`: when the request was sent, so a test can pick those sent after the drain began. */
  const answers: { status: number; connection: string | undefined; body: string; sentAt: number }[] = [];
  let running = true;
  const workers = Array.from({ length: clients }, async () => {
    while (running) {
      try {
        const sentAt = Date.now();
        const answer = await request(url, { dispatcher: agent, headers });
        const body = await answer.body.text();
        answers.push({
          status: answer.statusCode,
          connection: answer.headers.connection as string,
          body,
          sentAt,
        });
      } catch {
        return; // the listener closed
      }
    }
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      await agent.destroy();
    },
  };
}

const loads: { stop: () => Promise<void> }[] = [];
const servers: { stop: () => void; done: Promise<unknown> }[] = [];
afterEach(async () => {
  for (const load of loads.splice(0)) await load.stop();
  for (const server of servers.splice(0).reverse()) {
    server.stop();
    await server.done;
  }
});

async function startAuthorizationServer(extra: Record<string, unknown> = {}) {
  const port = await freePort();
  const path = join(folder, `as-${port}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      issuer: `http://127.0.0.1:${port}`,
      port,
      store: `sqlite:${join(folder, `as-${port}.db`)}`,
      cookieSecrets: ['graceful-stop-cookie-secret-0123456789abcdef'],
      keyActivationDelaySeconds: 360,
      clients: [{ ...bffClient, redirect_uris: ['http://localhost:3999/bff/callback'] }],
      ...extra,
    }),
  );
  const server = gatehouse(['authorization-server', '--config', path]);
  servers.push(server);
  await waitFor(() => server.out.some((line) => line.startsWith('Gatehouse authorization server')));
  return { ...server, issuer: `http://127.0.0.1:${port}` };
}

describe('SIGTERM under keep-alive load', () => {
  it('stops the authorization server in about its drain delay, readiness on the metrics listener turning 503 first', async () => {
    const metricsPort = await freePort();
    const as = await startAuthorizationServer({
      metrics: { enabled: true, port: metricsPort },
      health: { listener: 'metrics' },
      shutdown: { drainDelayMs: 500, drainTimeoutMs: 5_000 },
    });
    const ops = `http://127.0.0.1:${metricsPort}`;
    expect((await fetch(`${ops}/readyz`)).status).toBe(200);
    expect((await fetch(`${as.issuer}/readyz`)).status).toBe(404); // not on the public port
    const scrape = await fetch(`${ops}/metrics`);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await scrape.text()).toContain('gatehouse_http_requests_total');

    const load = keepAliveLoad(`${as.issuer}/jwks`);
    loads.push(load);
    // And a client whose request is still arriving at the signal, then keeps its connection idle:
    // the connection that used to hold the process for the keep-alive timeout.
    const slowAgent = new Agent({ keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    loads.push({ stop: () => slowAgent.destroy() });
    const slowBody = new PassThrough();
    slowBody.write('grant_type=client_');
    const slow = request(`${as.issuer}/token`, {
      method: 'POST',
      dispatcher: slowAgent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: slowBody,
    });
    await waitFor(() => load.answers.length >= 50);
    const signalled = Date.now();
    as.stop('SIGTERM');
    setTimeout(() => slowBody.end('credentials'), 800);
    await waitFor(() => as.out.some((line) => line.includes('SIGTERM, draining')));
    const drainingAt = Date.now();
    const draining = await fetch(`${ops}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ status: 'not_ready', reason: 'shutting_down' });

    const slowAnswer = await slow;
    expect(slowAnswer.statusCode).toBe(401); // answered (no client credentials), and its connection closes
    expect(slowAnswer.headers.connection).toBe('close');
    await slowAnswer.body.dump();
    const { code, stdout } = await as.done;
    const tookMs = Date.now() - signalled;
    expect(code).toBe(0);
    // The drain delay, then the answers in flight; never the 72 s keep-alive timeout.
    expect(tookMs).toBeGreaterThanOrEqual(450);
    expect(tookMs).toBeLessThan(3_000);
    expect(stdout).toMatch(/gatehouse authorization-server: SIGTERM, draining: not ready; closing in 0\.5 s/);
    expect(stdout).toMatch(/gatehouse authorization-server: stopped in \d+\.\d s\n?$/);
    await load.stop();

    const duringDrain = load.answers.filter((answer) => answer.sentAt > drainingAt);
    expect(duringDrain.length).toBeGreaterThan(0); // served during the drain delay
    for (const answer of duringDrain) {
      expect(answer.connection).toBe('close');
      // Served, or refused in the server's own shape; never Fastify's generic 503.
      if (answer.status !== 200) {
        expect(answer.status).toBe(503);
        expect(JSON.parse(answer.body)).toMatchObject({ error: 'temporarily_unavailable' });
      }
    }
    await expect(fetch(`${ops}/healthz`)).rejects.toThrow(); // the ops listener closed too
  }, 30_000);

  it('stops the BFF in about its drain delay while clients keep calling it', async () => {
    const as = await startAuthorizationServer();
    const port = await freePort();
    const path = join(folder, `bff-${port}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        port,
        publicUrl: 'http://localhost:3999',
        issuer: as.issuer,
        clientId: bffClient.client_id,
        clientSecret: bffClient.client_secret,
        scopes: ['openid'],
        store: 'memory',
        tokenEncryptionKeys: ['B'.repeat(43)],
        shutdown: { drainDelayMs: 300, drainTimeoutMs: 5_000 },
      }),
    );
    const bff = gatehouse(['bff', '--config', path]);
    servers.push(bff);
    await waitFor(() => bff.out.some((line) => line.startsWith('Gatehouse BFF')));
    const origin = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${origin}/readyz`)).json()).toMatchObject({ status: 'ready' });

    const load = keepAliveLoad(`${origin}/bff/user`, { 'x-csrf': '1' });
    loads.push(load);
    await waitFor(() => load.answers.length >= 50);
    const signalled = Date.now();
    bff.stop('SIGTERM');
    await waitFor(() => bff.out.some((line) => line.includes('SIGTERM, draining')));
    const drainingAt = Date.now();
    const { code, stdout } = await bff.done;
    const tookMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(tookMs).toBeGreaterThanOrEqual(250);
    expect(tookMs).toBeLessThan(3_000);
    expect(stdout).toContain('gatehouse bff: SIGTERM, draining');
    expect(stdout).toMatch(/gatehouse bff: stopped in \d+\.\d s/);
    await load.stop();
    const duringDrain = load.answers.filter((answer) => answer.sentAt > drainingAt);
    expect(duringDrain.length).toBeGreaterThan(0);
    for (const answer of duringDrain) {
      expect(answer.connection).toBe('close');
      // Not signed in (401), or refused as the BFF stops: JSON with its reason, never a bare 503.
      expect(JSON.parse(answer.body)).toMatchObject(
        answer.status === 401 ? { error: 'unauthenticated' } : { error: 'unavailable', reason: 'shutting_down' },
      );
    }
  }, 30_000);
});
