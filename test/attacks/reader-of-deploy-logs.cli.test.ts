import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Io, runGatehouse } from '@gatehouse/cli';
import { postgresUrl, redisUrl, runScopedName } from '@gatehouse/test-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * The attacker reads the output of a deployment pipeline — the CI log where `gatehouse config check`
 * runs before a rollout, a screenshot in a ticket — and holds nothing else. Whatever goes wrong (a
 * store that is down, a password Redis refuses, a provider that is gone, a secret that fails its
 * schema), nothing the command or the drivers under it print may carry a secret: not a password in
 * a store URL (as written or percent-decoded), not a client secret, key or cookie secret, whether
 * the config holds it or takes it from the environment or a file.
 */

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-deploy-logs-'));
let files = 0;
function configFile(content: unknown): string {
  files += 1;
  const path = join(folder, `config-${files}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/**
 * Runs the command in-process and returns everything printed while it ran: its own lines, and
 * anything a driver wrote to the process's stdout or stderr or through `console`.
 */
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
});

const unreachableProvider = 'http://127.0.0.1:1';

function bffConfig(overrides: Record<string, unknown>) {
  return {
    publicUrl: 'http://localhost:3000',
    issuer: unreachableProvider,
    clientId: 'demo-bff',
    clientSecret: 'bff-client-secret-nobody-may-see',
    tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
    ...overrides,
  };
}

describe('a reader of deployment logs', () => {
  it('a config check never prints a secret even when the store URL with password is unreachable', async () => {
    const password = 'Pg-S3cret/pass?#word';
    const keys = [randomBytes(32).toString('base64url')];
    // A server that is down, and one that is up but has no such role (it answers with an error).
    const reachable = new URL(postgresUrl);
    reachable.username = 'gatehouse_nobody';
    reachable.password = encodeURIComponent(password);
    const urls = [`postgres://gatehouse:${encodeURIComponent(password)}@127.0.0.1:1/gatehouse`, reachable.toString()];
    for (const url of urls) {
      const result = await everythingPrinted(
        'config',
        'check',
        '--config',
        configFile(bffConfig({ store: url, tokenEncryptionKeys: keys })),
      );
      expect(result.code).toBe(1);
      expect(result.text).toContain('store: failed: PostgreSQL ');
      for (const secret of [password, encodeURIComponent(password), url, 'bff-client-secret-nobody-may-see', ...keys]) {
        expect(result.text).not.toContain(secret);
      }
    }
  });

  it('learns no Redis password from a Redis that refuses it, nor from one that is down', async () => {
    const password = `R3dis-${randomBytes(8).toString('hex')}`;
    // The Redis here has no such user: AUTH is refused with WRONGPASS (and drivers like to say so).
    const reachable = new URL(redisUrl);
    reachable.username = 'gatehouse-nobody';
    reachable.password = password;
    reachable.searchParams.set('prefix', `${runScopedName('logs')}:`);
    for (const store of [reachable.toString(), `redis://:${password}@127.0.0.1:1`]) {
      const result = await everythingPrinted('config', 'check', '--config', configFile(bffConfig({ store })));
      expect(result.code).toBe(1);
      expect(result.text).toMatch(/^store: failed: /m);
      expect(result.text).not.toContain(password);
    }
  });

  it('sees neither side of a split store’s passwords, taken from the environment and a file', async () => {
    const durablePassword = `pg-${randomBytes(8).toString('hex')}`;
    const ephemeralPassword = `rd-${randomBytes(8).toString('hex')}`;
    const variable = runScopedName('GATEHOUSE_TEST_DURABLE_');
    process.env[variable] = `postgres://gatehouse:${durablePassword}@127.0.0.1:1/gatehouse`;
    const file = join(folder, 'ephemeral-url');
    writeFileSync(file, `redis://:${ephemeralPassword}@127.0.0.1:1\n`);
    try {
      const path = configFile({
        issuer: 'http://127.0.0.1:4000',
        cookieSecrets: ['cookie-secret-nobody-may-see-0123456789'],
        store: { durable: { env: variable }, ephemeral: { file } },
        upstreams: [
          {
            name: 'gone',
            displayName: 'Gone',
            type: 'oidc',
            issuer: unreachableProvider,
            clientId: 'gatehouse',
            clientSecret: 'upstream-secret-nobody-may-see',
          },
        ],
      });
      const result = await everythingPrinted('config', 'check', '--config', path);
      expect(result.code).toBe(1);
      expect(result.text).toContain('store durable: failed');
      expect(result.text).toContain('store ephemeral: failed');
      expect(result.text).toContain('upstream gone discovery: failed');
      for (const secret of [
        durablePassword,
        ephemeralPassword,
        'cookie-secret-nobody-may-see',
        'upstream-secret-nobody-may-see',
      ]) {
        expect(result.text).not.toContain(secret);
      }
    } finally {
      delete process.env[variable];
    }
  });

  it('sees where a secret that fails its schema came from, never the secret', async () => {
    const variable = runScopedName('GATEHOUSE_TEST_KEY_');
    // One character short of a key: the schema refuses it, and the one line says why.
    const almostAKey = randomBytes(32).toString('base64url').slice(0, 42);
    process.env[variable] = almostAKey;
    try {
      const path = configFile(bffConfig({ store: 'memory', tokenEncryptionKeys: [{ env: variable }] }));
      const result = await everythingPrinted('config', 'check', '--config', path);
      expect(result.code).toBe(2);
      expect(result.text).toContain(`${path}: tokenEncryptionKeys.0: `);
      expect(result.text).toContain(`environment variable ${variable}`);
      expect(result.text).not.toContain(almostAKey);
    } finally {
      delete process.env[variable];
    }
  });
});
