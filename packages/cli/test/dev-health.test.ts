import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@gatehouse/test-kit';
import { describe, expect, it } from 'vitest';
import { type Io, runGatehouse } from '../src/index.js';

describe('gatehouse dev', () => {
  it('has each of its servers answer its own /healthz and /readyz, and drains them all on SIGTERM', async () => {
    const [as, api, bff, upstream] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const out: string[] = [];
    let stop: (signal: string) => void = () => undefined;
    const io: Io = {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      stopSignal: new Promise((resolve) => {
        stop = resolve;
      }),
      readStdin: async () => '',
    };
    const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-dev-health-'));
    const ports = [
      '--as-port',
      `${as}`,
      '--api-port',
      `${api}`,
      '--bff-port',
      `${bff}`,
      '--upstream-port',
      `${upstream}`,
    ];
    const done = runGatehouse(['dev', ...ports, '--state-dir', stateDir, '--host', '127.0.0.1'], io);
    const started = Date.now();
    while (!out.some((line) => line.startsWith('Gatehouse demo ready'))) {
      if (Date.now() - started > 30_000) throw new Error(`dev did not start: ${out.join('\n')}`);
      await sleep(50);
    }
    const checks = {
      [as]: ['store', 'signing_keys'],
      [api]: ['store'],
      [bff]: ['store', 'provider_discovery', 'provider_keys'],
    };
    for (const [port, names] of Object.entries(checks)) {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(Object.keys(((await ready.json()) as { checks: object }).checks).sort()).toEqual([...names].sort());
    }
    stop('SIGTERM');
    expect(await done).toBe(0);
    expect(out.join('\n')).toMatch(
      /gatehouse dev: SIGTERM, draining every server\ngatehouse dev: stopped in \d+\.\d s/,
    );
  }, 60_000);
});
