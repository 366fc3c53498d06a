import { describe, expect, it } from 'vitest';
import { defaultDemoConfig, loadDemoConfig, readDemoConfig } from '../src/demo-config.js';

const runtime = {
  issuer: 'http://localhost:4100',
  apiUrl: 'http://localhost:5100/',
  publicClientId: 'spa-2',
  foreignUrl: 'http://127.0.0.1:5100',
};

describe('demo config', () => {
  it('takes every field from the runtime file, trimming the API URLs’ trailing slash only', () => {
    expect(readDemoConfig(runtime)).toEqual({ ...runtime, apiUrl: 'http://localhost:5100' });
    expect(readDemoConfig({ ...runtime, issuer: 'http://localhost:4100/' }).issuer).toBe('http://localhost:4100/');
  });

  it('keeps the default for each missing or malformed field', () => {
    expect(readDemoConfig({ issuer: 'javascript:alert(1)', apiUrl: 42, publicClientId: ' ' })).toEqual(
      defaultDemoConfig,
    );
    expect(readDemoConfig(null)).toEqual(defaultDemoConfig);
    expect(readDemoConfig({ apiUrl: 'http://api.test' }).issuer).toBe(defaultDemoConfig.issuer);
  });

  it('falls back to the defaults when the file cannot be fetched (vite dev)', async () => {
    await expect(loadDemoConfig(() => Promise.reject(new TypeError('offline')))).resolves.toEqual(defaultDemoConfig);
    await expect(loadDemoConfig(async () => ({ ok: false, json: async () => runtime }))).resolves.toEqual(
      defaultDemoConfig,
    );
    await expect(
      loadDemoConfig(async () => ({ ok: true, json: () => Promise.reject(new SyntaxError('html')) })),
    ).resolves.toEqual(defaultDemoConfig);
  });

  it('fetches /demo-config.json without the HTTP cache', async () => {
    const calls: unknown[] = [];
    const config = await loadDemoConfig(async (url, init) => {
      calls.push([url, init.cache]);
      return { ok: true, json: async () => runtime };
    });
    expect(calls).toEqual([['/demo-config.json', 'no-store']]);
    expect(config.publicClientId).toBe('spa-2');
  });
});
