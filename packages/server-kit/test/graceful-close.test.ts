import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeGracefully, createServer, registerHealthRoutes, sendJsonError } from '../src/index.js';

/** A server with a slow route (answers after `?ms=`), a fast one, a hanging one, and the health routes. */
async function startServer(
  options: { preCloseMs?: number } = {},
): Promise<{ app: FastifyInstance; origin: string; release: () => void }> {
  let release: () => void = () => undefined;
  const hanging = new Promise<void>((resolve) => (release = resolve));
  const app = createServer({
    logger: false,
    failures: {
      render: (failure, _request, reply) =>
        sendJsonError(reply, failure.status, { error: 'unavailable', reason: failure.kind }),
    },
  });
  app.get('/fast', async () => ({ ok: true }));
  app.get<{ Querystring: { ms?: string } }>('/slow', async (req) => {
    await sleep(Number(req.query.ms ?? 300));
    return { slow: true };
  });
  app.get('/stream', async (_request, reply) => {
    const body = new PassThrough();
    body.write('first part, ');
    setTimeout(() => body.end('last part'), 300);
    return reply.type('text/plain').send(body);
  });
  app.get('/hang', async () => {
    await hanging;
    return { late: true };
  });
  registerHealthRoutes(app, { exposed: true });
  // Fastify runs preClose hooks before it closes the listener: a load balancer may still send then.
  const { preCloseMs } = options;
  if (preCloseMs) app.addHook('preClose', () => sleep(preCloseMs));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return { app, origin: `http://127.0.0.1:${port}`, release };
}

/** A server with no routes, for hooks of its own. */
const bareServer = {
  logger: false,
  failures: { render: (failure, _request, reply) => sendJsonError(reply, failure.status, { error: failure.kind }) },
} satisfies Parameters<typeof createServer>[0];

/** A raw HTTP/1.1 connection, to send a request on a connection that is busy. */
function rawConnection(origin: string): { socket: Socket; received: () => string; ended: Promise<void> } {
  const url = new URL(origin);
  const socket = connect(Number(url.port), url.hostname);
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  return { socket, received: () => text, ended };
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n`;

describe('closeGracefully', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('ends in about drain delay + in-flight time under keep-alive load, not after the keep-alive timeout', async () => {
    const { app, origin } = await startServer();
    const agent = new Agent({ connections: 8, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    cleanups.push(() => agent.destroy());
    // Eight kept-alive connections, idle after their first answer.
    await Promise.all(
      Array.from({ length: 8 }, () =>
        request(`${origin}/slow?ms=20`, { dispatcher: agent }).then((r) => r.body.dump()),
      ),
    );
    const inFlight = Array.from({ length: 3 }, () => request(`${origin}/slow?ms=400`, { dispatcher: agent }));
    await sleep(50);
    const started = performance.now();
    const closing = closeGracefully(app, { drainDelayMs: 200, drainTimeoutMs: 10_000 });
    const answers = await Promise.all(inFlight);
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      // Written after the signal: the connection closes after this answer.
      expect(answer.headers.connection).toBe('close');
      expect(await answer.body.json()).toEqual({ slow: true });
    }
    const outcome = await closing;
    const elapsed = performance.now() - started;
    expect(outcome.cutConnections).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('turns /readyz to 503 shutting_down while it still serves during the drain delay, each answer closing its connection', async () => {
    const { app, origin } = await startServer();
    const agent = new Agent({ keepAliveTimeout: 120_000 });
    cleanups.push(() => agent.destroy());
    expect((await request(`${origin}/readyz`, { dispatcher: agent })).statusCode).toBe(200);
    const closing = closeGracefully(app, { drainDelayMs: 300, drainTimeoutMs: 5_000 });
    const ready = await request(`${origin}/readyz`, { dispatcher: agent });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['cache-control']).toBe('no-store');
    expect(await ready.body.json()).toEqual({ status: 'not_ready', reason: 'shutting_down', checks: {} });
    const served = await request(`${origin}/fast`, { dispatcher: agent });
    expect(served.statusCode).toBe(200);
    expect(served.headers.connection).toBe('close');
    await served.body.dump();
    // Alive all along.
    expect((await request(`${origin}/healthz`, { dispatcher: agent })).statusCode).toBe(200);
    await closing;
  });

  it('does no new work for a request sent on a busy connection after the signal: the answer in flight closes it', async () => {
    const { app, origin } = await startServer();
    const raw = rawConnection(origin);
    cleanups.push(() => {
      raw.socket.destroy();
    });
    raw.socket.write(get('/slow?ms=400'));
    await sleep(100);
    const closing = closeGracefully(app, { drainDelayMs: 0, drainTimeoutMs: 5_000 });
    await sleep(50);
    raw.socket.write(get('/fast'));
    await raw.ended;
    await closing;
    const answers = raw.received().split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(answers[0]).toMatch(/\r\nconnection: close\r\n/i);
    expect(answers[0]).toContain('{"slow":true}');
  });

  it('refuses a request queued behind an answer that was already streaming at the signal, with the reason, Retry-After and Connection: close', async () => {
    const { app, origin } = await startServer();
    const raw = rawConnection(origin);
    cleanups.push(() => {
      raw.socket.destroy();
    });
    raw.socket.write(get('/stream'));
    // Its headers went out before the signal, with keep-alive.
    while (!raw.received().includes('\r\n\r\n')) await sleep(10);
    expect(raw.received()).not.toMatch(/connection: close/i);
    const closing = closeGracefully(app, { drainDelayMs: 0, drainTimeoutMs: 5_000 });
    await sleep(50);
    raw.socket.write(get('/fast'));
    await raw.ended;
    const outcome = await closing;
    expect(outcome.cutConnections).toBe(0);
    const [first, second] = raw.received().split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(second).toMatch(/\r\nconnection: close\r\n/i);
    expect(second).toContain('{"error":"unavailable","reason":"shutting-down"}');
  });

  it('serves a request on a new connection while the app closes but its listener is still open, closing that connection', async () => {
    const { app, origin } = await startServer({ preCloseMs: 300 });
    const closing = closeGracefully(app, { drainDelayMs: 0, drainTimeoutMs: 5_000 });
    await sleep(100);
    expect(app.lifecycle.isClosing).toBe(true);
    const late = await request(`${origin}/fast`);
    expect(late.statusCode).toBe(200);
    expect(late.headers.connection).toBe('close');
    expect(await late.body.json()).toEqual({ ok: true });
    await closing;
  });

  it('cuts the connections still open at the drain timeout', async () => {
    const { app, origin, release } = await startServer();
    cleanups.push(release);
    const agent = new Agent({ keepAliveTimeout: 120_000 });
    cleanups.push(() => agent.destroy());
    const hung = request(`${origin}/hang`, { dispatcher: agent }).catch((error: Error) => error);
    await sleep(50);
    const started = performance.now();
    const outcome = await closeGracefully(app, { drainDelayMs: 0, drainTimeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(outcome.cutConnections).toBe(1);
    expect(await hung).toBeInstanceOf(Error);
  });

  it('aborts lifecycle.drainSignal at the drain timeout, so work an onClose hook waits for ends within the budget', async () => {
    const app = createServer(bareServer);
    let closingAbortedAtClose: boolean | undefined;
    app.addHook('onClose', async () => {
      closingAbortedAtClose = app.lifecycle.closingSignal.aborted;
      // Background work that would run far past the budget unless the drain signal stops it.
      await sleep(10_000, undefined, { signal: app.lifecycle.drainSignal }).catch(() => undefined);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const started = performance.now();
    await closeGracefully(app, { drainDelayMs: 0, drainTimeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(closingAbortedAtClose).toBe(true);
    expect(app.lifecycle.drainSignal.aborted).toBe(true);
  });

  it('destroys the upgraded sockets registered with the lifecycle at the drain timeout', async () => {
    const app = createServer(bareServer);
    app.server.on('upgrade', (_request, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      app.lifecycle.trackUpgraded(socket);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const raw = rawConnection(`http://127.0.0.1:${port}`);
    cleanups.push(() => raw.socket.destroy());
    raw.socket.write('GET /socket HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    await vi.waitFor(() => expect(app.lifecycle.upgradedSockets).toBe(1));
    const started = performance.now();
    await closeGracefully(app, { drainDelayMs: 0, drainTimeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(1_500);
    await raw.ended;
    expect(raw.received()).toMatch(/^HTTP\/1\.1 101 /);
    expect(app.lifecycle.upgradedSockets).toBe(0);
  });

  it('closes idle keep-alive connections at once when there is nothing in flight', async () => {
    const { app, origin } = await startServer();
    const agent = new Agent({ connections: 4, keepAliveTimeout: 120_000 });
    cleanups.push(() => agent.destroy());
    await Promise.all(
      Array.from({ length: 4 }, () => request(`${origin}/fast`, { dispatcher: agent }).then((r) => r.body.dump())),
    );
    const started = performance.now();
    const outcome = await closeGracefully(app, { drainDelayMs: 0, drainTimeoutMs: 10_000 });
    expect(outcome.cutConnections).toBe(0);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
