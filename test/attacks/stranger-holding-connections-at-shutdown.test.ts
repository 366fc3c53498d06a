import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { closeGracefully } from '@gatehouse/server-kit';
import { openMemoryStore } from '@gatehouse/store';
import {
  type RunningAuthorizationServer,
  scriptedBffClient,
  startAuthorizationServer,
  startScriptedProvider,
} from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A stranger tries to keep a server from exiting after SIGTERM, past `drainTimeoutMs`, with what it
 * can open on the public port: many idle keep-alive connections, connections that never finish their
 * headers (slowloris), a body trickled a byte at a time, and — through the BFF — a proxied call to an
 * API path that never answers (the BFF's upstream deadline is 30 s by default). The stop must take
 * at most the drain timeout plus a little closing work.
 */

const drainTimeoutMs = 1000;
const closingAllowanceMs = 1500;
const sockets: Socket[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function open(port: number, firstBytes: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      if (firstBytes) socket.write(firstBytes);
      resolve(socket);
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
    sockets.push(socket);
  });
}

/** Idle keep-alive connections (one answered request each), slowloris and a trickled body. */
async function holdConnections(port: number, answeredPath: string, bodyPath: string): Promise<void> {
  for (let i = 0; i < 30; i += 1) {
    const socket = await open(port, `GET ${answeredPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  }
  for (let i = 0; i < 5; i += 1) await open(port, `GET ${answeredPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
  for (let i = 0; i < 5; i += 1) await open(port, '');
  const trickle = await open(
    port,
    `POST ${bodyPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n`,
  );
  const timer = setInterval(() => trickle.writable && trickle.write('a'), 100);
  cleanups.push(async () => clearInterval(timer));
}

async function timedStop(app: FastifyInstance): Promise<number> {
  const started = performance.now();
  await closeGracefully(app, { drainDelayMs: 0, drainTimeoutMs });
  return performance.now() - started;
}

describe('a stranger holding connections open when the server is told to stop', () => {
  it('cannot keep the authorization server from stopping past drainTimeoutMs', async () => {
    const as: RunningAuthorizationServer = await startAuthorizationServer();
    cleanups.push(() => as.close());
    const { port } = as.app.server.address() as AddressInfo;
    await holdConnections(port, '/healthz', '/token');
    expect(await timedStop(as.app)).toBeLessThan(drainTimeoutMs + closingAllowanceMs);
  }, 30_000);

  it('cannot keep the BFF from stopping past drainTimeoutMs, with a proxied call whose API never answers', async () => {
    // An API whose /stall path never answers (accepts and waits), others answer at once.
    const stalled: Array<() => void> = [];
    const api: Server = createServer((request, response) => {
      if (request.url?.includes('/stall')) {
        stalled.push(() => response.destroy());
        return;
      }
      response.end('{}');
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const end of stalled) end();
          api.closeAllConnections();
          api.close(() => resolve());
        }),
    );
    const provider = await startScriptedProvider(scriptedBffClient);
    cleanups.push(() => provider.stop());
    const config = loadBffConfig({
      publicUrl: 'http://localhost:3000',
      issuer: provider.issuer,
      ...scriptedBffClient,
      scopes: ['openid'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      store: 'memory',
      routes: [{ path: '/public', target: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, token: 'none' }],
    });
    const store = openMemoryStore();
    const bff = await createBff(config, { store });
    cleanups.push(() => store.close());
    cleanups.push(() => bff.close());
    await bff.listen({ port: 0, host: '127.0.0.1' });
    const { port } = bff.server.address() as AddressInfo;
    await holdConnections(port, '/healthz', '/public/upload');
    // Three calls that wait on the API (the stranger's own requests: `none` routes answer anyone).
    for (let i = 0; i < 3; i += 1) {
      await open(port, `GET /public/stall HTTP/1.1\r\nHost: 127.0.0.1\r\nx-csrf: 1\r\n\r\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stalled.length).toBe(3);
    expect(await timedStop(bff)).toBeLessThan(drainTimeoutMs + closingAllowanceMs);
  }, 60_000);
});
