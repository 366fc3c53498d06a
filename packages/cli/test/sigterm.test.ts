import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@gatehouse/test-kit';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

const repository = join(import.meta.dirname, '..', '..', '..');
const main = join(repository, 'packages', 'cli', 'src', 'main.ts');
const fromSource = join(import.meta.dirname, 'support', 'run-from-source.mjs');
const folder = mkdtempSync(join(tmpdir(), 'gatehouse-sigterm-'));

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** `gatehouse <args>` as a real process, from the sources (no build needed). */
function spawnGatehouse(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', fromSource, main, ...args], {
    cwd: folder,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, output: () => text, exited };
}

async function waitForOutput(running: Running, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!pattern.test(running.output())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${pattern}:\n${running.output()}`);
    await sleep(50);
  }
}

/** Kept-alive clients calling `url` until the connection is refused. */
function keepAliveLoad(url: string, headers: Record<string, string> = {}) {
  const agent = new Agent({ connections: 6, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
  const statuses: number[] = [];
  let running = true;
  const workers = Array.from({ length: 6 }, async () => {
    while (running) {
      try {
        const answer = await request(url, { dispatcher: agent, headers });
        await answer.body.dump();
        statuses.push(answer.statusCode);
      } catch {
        return;
      }
    }
  });
  return {
    statuses,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      await agent.destroy();
    },
  };
}

const children: Running[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  for (const running of children.splice(0)) {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
    await running.exited;
  }
});

describe('a real SIGTERM under keep-alive load', () => {
  it('stops gatehouse bff and gatehouse authorization-server in about their drain delays, exit 0', async () => {
    const [asPort, bffPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${asPort}`;
    const client = { client_id: 'sigterm-bff', client_secret: 'sigterm-bff-secret-0123456789abcdefgh' };
    writeFileSync(
      join(folder, 'as.json'),
      JSON.stringify({
        issuer,
        port: asPort,
        store: 'memory',
        cookieSecrets: ['sigterm-test-cookie-secret-0123456789abcdef'],
        keyActivationDelaySeconds: 360,
        clients: [
          { ...client, redirect_uris: ['http://localhost:3998/bff/callback'], grant_types: ['authorization_code'] },
        ],
        shutdown: { drainDelayMs: 300 },
      }),
    );
    writeFileSync(
      join(folder, 'bff.json'),
      JSON.stringify({
        port: bffPort,
        publicUrl: 'http://localhost:3998',
        issuer,
        clientId: client.client_id,
        clientSecret: client.client_secret,
        scopes: ['openid'],
        store: 'memory',
        tokenEncryptionKeys: ['C'.repeat(43)],
        shutdown: { drainDelayMs: 300 },
      }),
    );
    const as = spawnGatehouse(['authorization-server', '--config', 'as.json']);
    children.push(as);
    await waitForOutput(as, /Gatehouse authorization server/);
    const bff = spawnGatehouse(['bff', '--config', 'bff.json']);
    children.push(bff);
    await waitForOutput(bff, /Gatehouse BFF/);

    const bffLoad = keepAliveLoad(`http://127.0.0.1:${bffPort}/bff/user`, { 'x-csrf': '1' });
    const asLoad = keepAliveLoad(`${issuer}/jwks`);
    cleanups.push(bffLoad.stop, asLoad.stop);
    // A request still arriving at the signal, whose client then keeps the connection idle.
    const slowAgent = new Agent({ keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    cleanups.push(() => slowAgent.destroy());
    const slowBody = new PassThrough();
    slowBody.write('grant_type=client_');
    const slow = request(`${issuer}/token`, {
      method: 'POST',
      dispatcher: slowAgent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: slowBody,
    });
    while (bffLoad.statuses.length < 30 || asLoad.statuses.length < 30) await sleep(20);

    const bffSignalled = Date.now();
    bff.child.kill('SIGTERM');
    const bffExit = await bff.exited;
    expect(bffExit.code).toBe(0);
    expect(bffExit.at - bffSignalled).toBeLessThan(5_000);
    expect(bff.output()).toMatch(/gatehouse bff: SIGTERM, draining/);
    expect(bff.output()).toMatch(/gatehouse bff: stopped in \d+\.\d s/);

    const asSignalled = Date.now();
    as.child.kill('SIGTERM');
    setTimeout(() => slowBody.end('credentials'), 600);
    const slowAnswer = await slow;
    expect(slowAnswer.headers.connection).toBe('close');
    await slowAnswer.body.dump();
    const asExit = await as.exited;
    expect(asExit.code).toBe(0);
    // Its drain delay and the slow request; never the 72 s keep-alive timeout.
    expect(asExit.at - asSignalled).toBeLessThan(5_000);
    expect(as.output()).toMatch(/gatehouse authorization-server: stopped in \d+\.\d s/);
    // Served, or refused in the servers' own shapes: never a bare 503 from Fastify, never a 500.
    expect(bffLoad.statuses.filter((status) => status !== 401 && status !== 503)).toEqual([]);
    expect(asLoad.statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
  }, 90_000);
});
