import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMemoryStore } from '@gatehouse/store';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff } from '../../src/app.js';
import { loadBffConfig } from '../../src/config/bff-config.js';

// Provider metadata is given as data (no provider needed to serve files); nothing here logs in.
const metadata = {
  issuer: 'https://idp.example.com',
  authorization_endpoint: 'https://idp.example.com/authorize',
  token_endpoint: 'https://idp.example.com/token',
  jwks_uri: 'https://idp.example.com/jwks',
};

describe('serving the SPA', () => {
  let app: FastifyInstance;
  const folder = mkdtempSync(join(tmpdir(), 'gatehouse-spa-'));

  beforeAll(async () => {
    writeFileSync(join(folder, 'index.html'), '<!doctype html><title>SPA</title>');
    writeFileSync(join(folder, 'app.js'), 'console.log(1)');
    writeFileSync(join(folder, 'silent-callback.html'), '<!doctype html><title>silent</title>');
    writeFileSync(join(folder, '.env'), 'SECRET=1');
    const config = loadBffConfig({
      publicUrl: 'https://app.example.com',
      issuer: metadata.issuer,
      clientId: 'bff',
      clientSecret: 'a-long-enough-client-secret',
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      static: folder,
      frameablePages: ['silent-callback.html'],
      routes: [{ path: '/api', target: 'http://127.0.0.1:1' }],
    });
    app = await createBff(config, { store: openMemoryStore(), metadata });
  });
  afterAll(async () => {
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const get = (url: string, accept = 'text/html') => app.inject({ method: 'GET', url, headers: { accept } });

  it('serves index.html at / and assets with nosniff', async () => {
    const page = await get('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>SPA</title>');
    expect(page.headers['cache-control']).toBe('no-cache');
    const script = await get('/app.js', '*/*');
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves index.html for a client-side route navigated to, and JSON 404 for other requests', async () => {
    expect((await get('/todos/42')).body).toContain('<title>SPA</title>');
    const api = await get('/todos/42', 'application/json');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: 'not_found' });
  });

  it('never answers a BFF path with the app page', async () => {
    const response = await get('/bff/nothing');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: 'not_found' });
  });

  it.each(['/.env', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc/passwd'])('does not serve %s', async (url) => {
    const response = await get(url, '*/*');
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.body).not.toContain('SECRET=1');
    expect(response.body).not.toContain('root:');
  });

  it('lets the app frame only the pages it names (a silent sign-in callback); every other page refuses framing', async () => {
    const framed = await app.inject({ url: '/silent-callback.html' });
    expect(framed.statusCode).toBe(200);
    expect(framed.headers['content-security-policy']).toBe("frame-ancestors 'self'");
    const index = await app.inject({ url: '/index.html' });
    expect(index.headers['content-security-policy']).toBe("frame-ancestors 'none'");
  });
});
