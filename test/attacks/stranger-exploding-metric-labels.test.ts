import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BffMetrics, createBff, loadBffConfig } from '@gatehouse/bff';
import { createMetricsRegistry, metricsRenderer, type RenderMetrics } from '@gatehouse/server-kit';
import { openMemoryStore } from '@gatehouse/store';
import {
  freePort,
  parseExposition,
  type RunningAuthorizationServer,
  startAuthorizationServer,
} from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './bff-under-attack.js';

/**
 * A stranger with no account sends the public ports of the BFF and the authorization server whatever
 * they like — random paths and query strings, paths the router cannot decode, very long paths, odd
 * methods, random request ids and cookies — to grow the servers' metrics without bound: every new
 * label value is a new series, and enough of them exhaust the process's memory and the metrics
 * backend. The series must stay those of the servers' routes however much is sent, and the public
 * ports must not serve the metrics at all.
 */

let provider: RunningAuthorizationServer;
let providerPort: number;
let bff: FastifyInstance;
let bffPort: number;
let api: Server;
const bffMetrics = new BffMetrics();
const asRegistry = createMetricsRegistry();

beforeAll(async () => {
  api = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const asDeps = { metricsRegistry: asRegistry };
  provider = await startAuthorizationServer({}, asDeps as Parameters<typeof startAuthorizationServer>[1]);
  providerPort = Number(new URL(provider.issuer).port);
  bffPort = await freePort();
  const config = loadBffConfig({
    publicUrl: `http://127.0.0.1:${bffPort}`,
    issuer: provider.issuer,
    clientId: 'web-app',
    clientSecret: 'web-app-secret-0123456789abcdefghij',
    scopes: ['openid'],
    tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
    store: 'memory',
    routes: [{ path: '/public', target: apiUrl, token: 'none' }],
  });
  bff = await createBff(config, { store: openMemoryStore(), metrics: bffMetrics });
  await bff.listen({ port: bffPort, host: '127.0.0.1' });
});
afterAll(async () => {
  await bff?.close();
  await provider?.close();
  await new Promise((resolve) => api?.close(resolve));
}, 60_000);

const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'MKCOL', 'PURGE'];

/** One probe of random shape: where the path points, how it is spelt, and what comes with it. */
function probe(i: number): { path: string; method: string; headers: Record<string, string> } {
  const noise = randomBytes(9).toString('base64url');
  const paths = [
    `/${noise}`,
    `/bff/${noise}`,
    `/public/${noise}/${i}?token=${noise}`,
    `/authorize/${noise}`,
    `/%${noise.slice(0, 2).replace(/[0-9a-f]/gi, 'z')}${noise}`,
    `/${'a'.repeat(900 + (i % 100))}${noise}`,
    `/.well-known/${noise}`,
    `/bff/user?${noise}=${i}`,
  ];
  return {
    path: paths[i % paths.length] as string,
    method: methods[i % methods.length] as string,
    headers: { 'x-request-id': noise, cookie: `${noise}=${noise}`, 'x-csrf': '1' },
  };
}

/** The distinct series of the servers' metrics (every label set of every gatehouse_ sample). */
async function seriesOf(render: RenderMetrics): Promise<Set<string>> {
  const samples = parseExposition((await render()).body).filter((sample) => sample.name.startsWith('gatehouse_'));
  return new Set(samples.map((sample) => `${sample.name}${JSON.stringify(sample.labels)}`));
}

async function send(port: number, from: number, count: number): Promise<void> {
  for (let sent = from; sent < from + count; sent += 25) {
    await Promise.all(
      Array.from({ length: 25 }, (_, k) => {
        const { path, method, headers } = probe(sent + k);
        return rawRequest(port, path, { method, headers }).catch(() => undefined);
      }),
    );
  }
}

describe('a stranger sending random requests to grow the metrics', () => {
  it.each([
    ['the BFF', () => bffPort, () => bffMetrics.render],
    ['the authorization server', () => providerPort, () => metricsRenderer(asRegistry)],
  ])(
    'adds no series to %s after the first few hundred requests, and no label quotes a request',
    async (_name, port, render) => {
      const scrape = render();
      await send(port(), 0, 200);
      const settled = await seriesOf(scrape);
      await send(port(), 200, 400);
      const after = await seriesOf(scrape);
      // Four hundred more random requests, the same series (the latency of store calls and the
      // requests' own buckets only count up).
      expect([...after].filter((series) => !settled.has(series))).toEqual([]);
      const text = (await scrape()).body;
      const routes = new Set(parseExposition(text).flatMap((sample) => sample.labels.route ?? []));
      for (const route of routes) expect(route === 'unmatched' || route.startsWith('/')).toBe(true);
      expect(routes.size).toBeLessThan(40);
      for (const sample of parseExposition(text)) {
        for (const value of Object.values(sample.labels)) expect(value.length).toBeLessThanOrEqual(64);
      }
      expect(text).not.toMatch(/aaaaaaaa|token=|%zz|PROPFIND|MKCOL|PURGE/);
    },
  );

  it('finds no metrics on either public port', async () => {
    for (const port of [bffPort, providerPort]) {
      const response = await rawRequest(port, '/metrics');
      expect(response.status).toBe(404);
      expect(response.body).not.toMatch(/gatehouse_|process_cpu/);
    }
  });
});
