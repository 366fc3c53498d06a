import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverProvider } from '../src/discovery.js';
import { DiscoveryError, ProviderUnavailableError } from '../src/errors.js';

// A loopback server that serves whatever metadata the test wants, as a hostile or broken provider would.
let server: Server;
let issuer: string;
let answer: { status: number; body: string; delayMs?: number };

beforeAll(async () => {
  server = createServer((_, response) => {
    setTimeout(() => {
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body);
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const metadata = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    code_challenge_methods_supported: ['S256'],
    ...overrides,
  });

describe('discovery', () => {
  it('accepts well-formed metadata for the configured issuer', async () => {
    answer = { status: 200, body: metadata() };
    expect((await discoverProvider(issuer)).token_endpoint).toBe(`${issuer}/token`);
  });

  it.each([
    ['another issuer', () => metadata({ issuer: 'https://evil.example' })],
    ['the issuer with a trailing slash', () => metadata({ issuer: `${issuer}/` })],
    ['no token endpoint', () => metadata({ token_endpoint: undefined })],
    ['an http endpoint on a public host', () => metadata({ token_endpoint: 'http://idp.example.com/token' })],
    ['a relative jwks_uri', () => metadata({ jwks_uri: '/jwks' })],
    ['a non-URL end_session_endpoint', () => metadata({ end_session_endpoint: 'javascript:alert(1)' })],
    ['no PKCE S256', () => metadata({ code_challenge_methods_supported: ['plain'] })],
    ['a JSON array', () => '[]'],
    ['HTML', () => '<html></html>'],
  ])('refuses %s', async (_, body) => {
    answer = { status: 200, body: body() };
    await expect(discoverProvider(issuer)).rejects.toBeInstanceOf(DiscoveryError);
  });

  it('refuses a 404', async () => {
    answer = { status: 404, body: '{}' };
    await expect(discoverProvider(issuer)).rejects.toBeInstanceOf(DiscoveryError);
  });

  it('refuses a response over 256 KB', async () => {
    answer = { status: 200, body: metadata({ padding: 'x'.repeat(300 * 1024) }) };
    await expect(discoverProvider(issuer)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('gives up on a provider that does not answer in time', async () => {
    answer = { status: 200, body: metadata(), delayMs: 2_000 };
    const started = Date.now();
    await expect(discoverProvider(issuer, { timeoutMs: 200 })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('reports a provider that refuses connections as unavailable', async () => {
    await expect(discoverProvider('http://127.0.0.1:1')).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});
