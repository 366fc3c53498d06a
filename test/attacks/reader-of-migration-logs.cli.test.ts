import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Io, runGatehouse } from '@gatehouse/cli';
import { postgresUrl, redisUrl } from '@gatehouse/test-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * The attacker reads the output of the upgrade job that runs `gatehouse store migrate` before a
 * rolling upgrade (a CI log, a Kubernetes Job's log) and holds nothing else. Whatever goes wrong —
 * a store that is down, a PostgreSQL that refuses the role, a Redis that refuses the password, a URL
 * given with --store or taken from the config's environment reference — nothing printed carries the
 * store's password, as written or percent-decoded, or the whole URL.
 */

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-migration-logs-'));
let files = 0;
function configFile(content: unknown): string {
  files += 1;
  const path = join(folder, `config-${files}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** Runs the command in-process; everything it, a driver or `console` printed meanwhile. */
async function everythingPrinted(...args: string[]): Promise<{ code: number; text: string }> {
  const printed: string[] = [];
  const capture = (chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...parts: unknown[]) => {
      printed.push(parts.map(String).join(' '));
    });
  }
  const io: Io = {
    stdout: (line) => printed.push(line),
    stderr: (line) => printed.push(line),
    stopSignal: new Promise(() => undefined),
    readStdin: async () => '',
  };
  try {
    const code = await runGatehouse(args, io);
    return { code, text: printed.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.GATEHOUSE_TEST_MIGRATE_STORE;
});

const password = `Mig-S3cret/pa?ss#${randomBytes(4).toString('hex')}`;
const encoded = encodeURIComponent(password);

function secretsIn(url: string): string[] {
  return [password, encoded, url];
}

describe('a reader of store migration logs', () => {
  const refusingPostgres = (() => {
    const url = new URL(postgresUrl);
    url.username = 'gatehouse_nobody';
    url.password = encoded;
    return url.toString();
  })();
  const refusingRedis = (() => {
    const url = new URL(redisUrl);
    url.username = 'gatehouse-nobody';
    url.password = encoded;
    return url.toString();
  })();
  const stores = [
    ['a PostgreSQL that is down', `postgres://gatehouse:${encoded}@127.0.0.1:1/gatehouse`],
    ['a PostgreSQL that refuses the role', refusingPostgres],
    ['a Redis that is down', `redis://:${encoded}@127.0.0.1:1`],
    ['a Redis that refuses the password', refusingRedis],
  ] as const;

  it.each(stores)('sees no password of %s given with --store', async (_case, store) => {
    const result = await everythingPrinted('store', 'migrate', '--store', store);
    expect(result.code).toBe(1);
    for (const secret of secretsIn(store)) expect(result.text).not.toContain(secret);
  });

  it.each(stores)('sees no password of %s taken from the config’s environment reference', async (_case, store) => {
    process.env.GATEHOUSE_TEST_MIGRATE_STORE = store;
    const config = configFile({ store: { env: 'GATEHOUSE_TEST_MIGRATE_STORE' } });
    const result = await everythingPrinted('store', 'migrate', '--config', config);
    expect(result.code).toBe(1);
    for (const secret of secretsIn(store)) expect(result.text).not.toContain(secret);
  });

  it('sees neither side’s password of a split store when the durable side is down', async () => {
    const durable = `postgres://gatehouse:${encoded}@127.0.0.1:1/gatehouse`;
    const ephemeral = `redis://:${encoded}x@127.0.0.1:1`;
    const result = await everythingPrinted(
      'store',
      'migrate',
      '--config',
      configFile({ store: { durable, ephemeral } }),
    );
    expect(result.code).toBe(1);
    for (const secret of [...secretsIn(durable), `${password}x`, `${encoded}x`])
      expect(result.text).not.toContain(secret);
  });
});
