import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { openMemoryStore, type Store } from '@gatehouse/store';
import { propertyRuns } from '@gatehouse/test-kit';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff } from '../../src/app.js';
import { loadBffConfig } from '../../src/config/bff-config.js';

// SECURITY.md §5, end to end over HTTP: the BFF's route table (Fastify's router for requests, the
// WebSocket handler's lookup for upgrades) and its upstream URL together. Whatever request-target a
// client writes on the wire, a request that reaches an upstream reached the upstream of the most
// specific route whose path the raw target starts with, at that route's target prefix, with the rest
// of the target unchanged — and stays below the prefix when the upstream decodes the path once more.

const publicUrl = 'http://127.0.0.1:3000';

interface Recorder {
  url: string;
  seen: string[];
  stop(): Promise<void>;
}

/** An upstream that records the request-target of every request and upgrade, then answers 200 or 403. */
async function startRecorder(): Promise<Recorder> {
  const seen: string[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(request.url as string);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  server.on('upgrade', (request, socket) => {
    seen.push(request.url as string);
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Mode = 'request' | 'upgrade';

/** Sends `target` exactly as written (no client-side normalising); resolves with the status code. */
function rawGet(port: number, target: string, mode: Mode): Promise<number> {
  const headers =
    mode === 'request'
      ? 'x-csrf: 1\r\nConnection: close\r\n'
      : `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nOrigin: ${publicUrl}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      response += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0)));
    // Written, not ended: the server closes the connection after its answer.
    socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}\r\n`);
  });
}

/** Lenient percent-decoding, as an upstream framework would do it (invalid sequences kept). */
function decodeOnce(path: string): string {
  return path.replace(/(%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

// Request-target material: the routes, look-alikes of them, traversal and encoded-slash probes.
const start = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('/api', '/api/admin', '/files') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '/API',
      '/%61pi',
      '/api%2Fadmin',
      '/api%2fadmin',
      '/apiadmin',
      '/api/%61dmin',
      '/api//admin',
      '//api',
      '/./api',
      '/x/../api',
      '/bff',
      '/',
      '*',
      'http://evil.test/api',
    ),
  },
);
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('/', '/x', '/admin', '/todos', 'y') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '//',
      '.',
      '..',
      '/./',
      '/../',
      '%2e',
      '%2E%2e',
      '%252e%252e',
      '/%252e%252e/',
      '/%2e%2e/',
      '/..;/',
      '%2f',
      '%2F',
      '%252f',
      '%5c',
      '\\',
      '%00',
      ';',
      '..;',
      '%',
      '%zz',
      '@',
      ':',
      '#',
    ),
  },
);
const requestTarget = fc
  .tuple(start, fc.array(piece, { maxLength: 6 }), fc.constantFrom('', '', '?x=1', '?y=/../../z', '?'))
  .map(([s, pieces, query]) => `${s}${pieces.join('')}${query}`);

describe('BFF route table and proxy (property, over HTTP)', () => {
  let store: Store;
  let app: FastifyInstance;
  let port: number;
  let main: Recorder;
  let admin: Recorder;
  /** Listed as an operator may list them: the broader route first. */
  let routes: { path: string; upstream: Recorder; prefix: string }[];

  beforeAll(async () => {
    main = await startRecorder();
    admin = await startRecorder();
    routes = [
      { path: '/api', upstream: main, prefix: '/v1' },
      { path: '/api/admin', upstream: admin, prefix: '/admin' },
      { path: '/files', upstream: main, prefix: '/static' },
    ];
    const issuer = 'http://127.0.0.1:9';
    const config = loadBffConfig({
      publicUrl,
      issuer,
      clientId: 'bff',
      clientSecret: 's'.repeat(32),
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      routes: [
        { path: '/api', target: `${main.url}/v1`, token: 'none' },
        { path: '/api/admin', target: `${admin.url}/admin`, token: 'none' },
        { path: '/files', target: `${main.url}/static/`, token: 'none', methods: ['GET'] },
      ],
    });
    store = openMemoryStore();
    app = await createBff(config, {
      store,
      metadata: {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
      },
      // `token: none` routes need no provider: a call to one fails the test.
      fetch: async (input) => {
        throw new Error(`unexpected provider call to ${String(input)}`);
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
    await main?.stop();
    await admin?.stop();
    await store?.close();
  });

  /** The routes whose path the raw target starts with at a segment boundary, most specific first. */
  const matching = (target: string) =>
    routes
      .filter((r) => target === r.path || target.startsWith(`${r.path}/`) || target.startsWith(`${r.path}?`))
      .sort((a, b) => b.path.length - a.path.length);

  for (const mode of ['request', 'upgrade'] as const) {
    it(`sends a ${mode} only to the most specific matching route’s upstream, below its prefix`, async () => {
      await fc.assert(
        fc.asyncProperty(requestTarget, async (target) => {
          const before = { main: main.seen.length, admin: admin.seen.length };
          const status = await rawGet(port, target, mode);
          const reached = [
            ...main.seen.slice(before.main).map((url) => ({ upstream: main, url })),
            ...admin.seen.slice(before.admin).map((url) => ({ upstream: admin, url })),
          ];
          expect(status).toBeGreaterThanOrEqual(100);
          expect(reached.length).toBeLessThanOrEqual(1);
          const [hit] = reached;
          if (!hit) return;
          const route = matching(target)[0];
          expect(route, `${target} reached ${hit.url}`).toBeDefined();
          if (!route) return;
          expect(hit.upstream, `${target} reached the wrong upstream (${hit.url})`).toBe(route.upstream);
          // Byte for byte, less an empty query's "?" (a "#" is no part of an HTTP request-target).
          const sent = `${route.prefix}${target.slice(route.path.length)}`;
          if (!target.includes('#')) expect([sent, sent.replace(/\?$/, '')]).toContain(hit.url);
          const below = (path: string) => path === route.prefix || path.startsWith(`${route.prefix}/`);
          const { pathname } = new URL(`${route.upstream.url}${hit.url}`);
          expect(below(pathname), `${target} reached ${pathname}`).toBe(true);
          const reread = new URL(`${route.upstream.url}${decodeOnce(pathname)}`).pathname;
          expect(below(reread), `${target} reached ${pathname}, which decodes to ${reread}`).toBe(true);
        }),
        propertyRuns(250),
      );
    });
  }
});
