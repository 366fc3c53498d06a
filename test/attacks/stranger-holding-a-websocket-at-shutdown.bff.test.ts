import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { closeGracefully } from '@gatehouse/server-kit';
import { openMemoryStore } from '@gatehouse/store';
import { freePort, scriptedBffClient, startScriptedProvider } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A stranger keeps the BFF from exiting after SIGTERM with a WebSocket it opens *after* the stop
 * began. Before the signal it opens a connection and sends a WebSocket handshake to a proxied route
 * (a `none` route answers anyone; a signed-in user can do the same on a `user` route) all but its
 * final CRLF. The BFF destroys the upgraded sockets it knows of in `preClose`; the connection, not
 * yet upgraded, is left to the drain. The stranger then finishes the handshake: the BFF upgrades it
 * and pipes it to the API — a socket neither `preClose` (already run) nor the drain timeout's
 * `closeAllConnections` (upgraded sockets leave the HTTP server's list) will ever end, and
 * `server.close()` waits for it: the stop never completes while the stranger keeps it open.
 */

const drainTimeoutMs = 1000;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
});

/** An API that accepts every WebSocket upgrade and keeps the connection open. */
async function startUpgradingApi(): Promise<{ url: string; upgraded: Socket[] }> {
  const upgraded: Socket[] = [];
  const api: Server = createServer((_request, response) => response.end('{}'));
  api.on('upgrade', (_request, socket: Socket) => {
    upgraded.push(socket);
    socket.on('error', () => undefined);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n',
    );
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of upgraded) socket.destroy();
    api.closeAllConnections();
    api.close();
  });
  return { url: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, upgraded };
}

async function startBff(apiUrl: string): Promise<{ bff: FastifyInstance; port: number; origin: string }> {
  const provider = await startScriptedProvider(scriptedBffClient);
  cleanups.push(() => provider.stop());
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const bff = await createBff(
    loadBffConfig({
      publicUrl: origin,
      issuer: provider.issuer,
      ...scriptedBffClient,
      scopes: ['openid'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      store: 'memory',
      routes: [{ path: '/public', target: apiUrl, token: 'none' }],
    }),
    { store: openMemoryStore() },
  );
  await bff.listen({ port, host: '127.0.0.1' });
  return { bff, port, origin };
}

describe('a stranger finishing a WebSocket handshake after the BFF was told to stop', () => {
  it('cannot hold the BFF’s graceful stop past drainTimeoutMs', async () => {
    const api = await startUpgradingApi();
    const { bff, port, origin } = await startBff(api.url);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    cleanups.push(() => socket.destroy());
    await new Promise((resolve) => socket.once('connect', resolve));
    // Every header of the handshake, but not the blank line that ends them.
    socket.write(
      `GET /public/socket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nOrigin: ${origin}\r\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));

    // SIGTERM.
    const started = performance.now();
    const stopped = closeGracefully(bff, { drainDelayMs: 0, drainTimeoutMs }).then(() => performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 150));
    socket.write('\r\n');

    const outcome = await Promise.race([
      stopped,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), drainTimeoutMs + 4000)),
    ]);
    const apiGotTheSocket = api.upgraded.length;
    // Let the stop finish whatever happened (both ends of the stranger's socket go), so nothing lingers.
    socket.destroy();
    for (const upstream of api.upgraded) upstream.destroy();
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 3000))]);
    expect({ outcome, apiGotTheSocket }).toEqual({ outcome: expect.any(Number), apiGotTheSocket });
    expect(outcome as number).toBeLessThan(drainTimeoutMs + 1500);
  }, 30_000);
});
