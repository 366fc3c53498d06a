import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect } from 'node:net';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { scriptedBffClient, startAuthorizationServer, startScriptedProvider } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from './bff-under-attack.js';

/**
 * A stranger probes `/healthz` and `/readyz` on the public port of the authorization server and the
 * BFF: with the store down (its error naming the database host and password), with the wrong
 * method, while the server stops. The answers carry no store URL, host, password, version or
 * exception; no cookie and never cached; a wrong method gets 405 with `Allow` (SECURITY.md §1), as
 * the ops listener answers it; a late request while closing gets the server's own 503 shape.
 */

const storeUrl = 'postgres://gatehouse:Sup3r-s3cret-pw@db.internal.example:5432/gatehouse';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A memory store whose ping fails as a PostgreSQL driver's would, naming the database. */
function storeWithFailingPing(failing: { now: boolean }): Store {
  const memory = openMemoryStore();
  return {
    ...memory,
    ping: () =>
      failing.now
        ? Promise.reject(new Error(`connect ECONNREFUSED db.internal.example:5432 (${storeUrl})`))
        : memory.ping(),
  };
}

async function startAs(store: Store) {
  const as = await startAuthorizationServer({}, { store });
  cleanups.push(() => as.close());
  return { app: as.app, port: (as.app.server.address() as AddressInfo).port };
}

async function startBff(store: Store) {
  const provider = await startScriptedProvider(scriptedBffClient);
  cleanups.push(() => provider.stop());
  const bff: FastifyInstance = await createBff(
    loadBffConfig({
      publicUrl: 'http://localhost:3000',
      issuer: provider.issuer,
      ...scriptedBffClient,
      scopes: ['openid'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      store: 'memory',
    }),
    { store },
  );
  cleanups.push(() => bff.close());
  await bff.listen({ port: 0, host: '127.0.0.1' });
  return { app: bff, port: (bff.server.address() as AddressInfo).port };
}

const servers = [
  ['authorization server', startAs],
  ['BFF', startBff],
] as const;

describe.each(servers)('a stranger probing the health endpoints of the %s', (_name, start) => {
  it('learns only that the store is failing, not where it is or its password; no cookie, no caching', async () => {
    const failing = { now: true };
    const { port } = await start(storeWithFailingPing(failing));
    const ready = await rawRequest(port, '/readyz', { headers: { cookie: 'x=1', origin: 'https://evil.example' } });
    expect(ready.status).toBe(503);
    const body = JSON.parse(ready.body);
    expect(body.status).toBe('not_ready');
    expect(body.reason).toBe('checks_failing');
    expect(body.checks.store).toBe('failing');
    for (const state of Object.values(body.checks)) expect(['ok', 'failing']).toContain(state);
    for (const leak of ['Sup3r', 'db.internal', '5432', 'ECONNREFUSED', 'Error', 'postgres', 'version']) {
      expect(ready.body).not.toContain(leak);
    }
    for (const answer of [ready, await rawRequest(port, '/healthz')]) {
      expect(answer.headers['set-cookie']).toBeUndefined();
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expect(answer.headers.server).toBeUndefined();
      expect(answer.headers['x-powered-by']).toBeUndefined();
    }
  });

  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])(
    'gets 405 with Allow for %s, as for any other route',
    async (method) => {
      const { port } = await start(storeWithFailingPing({ now: false }));
      for (const path of ['/healthz', '/readyz']) {
        const answer = await rawRequest(port, path, { method, headers: { 'content-length': '0' } });
        expect({ path, method, status: answer.status }).toEqual({ path, method, status: 405 });
        expect(answer.headers.allow).toMatch(/GET/);
      }
    },
  );

  it('gets 503 shutting_down from /readyz while draining and the server’s own 503 for a request after the listener closed', async () => {
    const { app, port } = await start(storeWithFailingPing({ now: false }));
    app.lifecycle.beginDrain();
    const draining = await rawRequest(port, '/readyz');
    expect(draining.status).toBe(503);
    expect(JSON.parse(draining.body)).toEqual({ status: 'not_ready', reason: 'shutting_down', checks: {} });
    expect(draining.headers.connection).toBe('close');
    // A connection opened before the listener closes, its request's headers not yet finished.
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    cleanups.push(async () => socket.destroy());
    await new Promise((resolve) => socket.once('connect', resolve));
    const body = 'grant_type=client_credentials';
    socket.write(`POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    app.lifecycle.beginClose();
    await new Promise<void>((resolve) => {
      app.server.close(() => resolve());
      setTimeout(resolve, 200);
    });
    expect(app.server.listening).toBe(false);
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
    });
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.write(`x-csrf: 1\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2000))]);
    const [head = '', text = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(head).toMatch(/\r\nconnection: close\r\n/i);
    expect(text).not.toMatch(/at .*\.(ts|js):\d+|ShuttingDownError|node_modules|Error/);
  });
});
