import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  postgresUrl,
  type RunningAuthorizationServer,
  redisUrl,
  runScopedName,
  startAuthorizationServer,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Io, runGatehouse } from '../src/index.js';

/** Runs the command in-process and collects what it printed. */
async function gatehouse(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stopSignal: new Promise(() => undefined),
    readStdin: async () => '',
  };
  const code = await runGatehouse(args, io);
  return { code, stdout: out, stderr: err };
}

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-config-check-'));
let files = 0;
function configFile(content: unknown): string {
  files += 1;
  const path = join(folder, `config-${files}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

const redisStore = `${redisUrl}?prefix=${runScopedName('cfgcheck')}:`;
// One fixed schema, so repeated runs do not leave a schema each behind.
const postgresStore = `${postgresUrl}?schema=gatehouse_cli_config_check`;

let provider: RunningAuthorizationServer;
beforeAll(async () => {
  provider = await startAuthorizationServer();
});
afterAll(async () => {
  await provider.close();
});

function bffConfig(overrides: Record<string, unknown> = {}) {
  return {
    publicUrl: 'http://localhost:3000',
    issuer: provider.issuer,
    clientId: 'demo-bff',
    clientSecret: 'a-long-enough-client-secret',
    tokenEncryptionKeys: ['A'.repeat(43)],
    store: redisStore,
    ...overrides,
  };
}

function asConfig(overrides: Record<string, unknown> = {}) {
  return {
    issuer: 'http://127.0.0.1:4999',
    cookieSecrets: ['config-check-cookie-secret-0123456789'],
    store: postgresStore,
    ...overrides,
  };
}

describe('gatehouse config check, a BFF config', () => {
  it('passes with a real Redis store and a real provider: one ok line per check, exit 0', async () => {
    const result = await gatehouse('config', 'check', '--config', configFile(bffConfig()));
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout[0]).toBe('config: ok (bff)');
    expect(result.stdout[1]).toMatch(/^store: ok \(redis, answered in [\d.]+ ms\)$/);
    expect(result.stdout[2]).toBe(`provider discovery: ok (${provider.issuer})`);
    expect(result.stdout[3]).toMatch(/^provider JWKS: ok \(\d+ keys, [1-9]\d* for RS256\)$/);
    expect(result.stdout).toHaveLength(4);
  });

  it('fails, exit 1, when the provider is unreachable, and says so for discovery and JWKS', async () => {
    const result = await gatehouse(
      'config',
      'check',
      '--config',
      configFile(bffConfig({ issuer: 'http://127.0.0.1:1' })),
    );
    expect(result.code).toBe(1);
    expect(result.stdout.slice(0, 2).map((line) => line.split(':')[0])).toEqual(['config', 'store']);
    expect(result.stderr).toEqual([
      'provider discovery: failed: provider unreachable: http://127.0.0.1:1',
      'provider JWKS: failed: not checked: discovery failed',
    ]);
  });

  it('fails when the provider has no key for the algorithm the BFF expects', async () => {
    const result = await gatehouse(
      'config',
      'check',
      '--config',
      configFile(bffConfig({ idTokenSigningAlg: 'EdDSA' })),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(/^provider JWKS: failed: no EdDSA signing key among its \d+ keys$/);
  });

  it('fails, exit 1, when the store is unreachable, and still checks the provider', async () => {
    const result = await gatehouse(
      'config',
      'check',
      '--config',
      configFile(bffConfig({ store: 'redis://127.0.0.1:1' })),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(/^store: failed: Redis is unavailable/);
    expect(result.stdout).toContain(`provider discovery: ok (${provider.issuer})`);
  });

  it('resolves secrets from the environment and refuses a missing one in one line, exit 2', async () => {
    const name = runScopedName('GATEHOUSE_TEST_BFF_SECRET_');
    const path = configFile(bffConfig({ clientSecret: { env: name } }));
    const missing = await gatehouse('config', 'check', '--config', path);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toEqual([`${path}: clientSecret: environment variable ${name} is not set`]);
    process.env[name] = 'a-client-secret-from-the-environment';
    try {
      expect((await gatehouse('config', 'check', '--config', path)).code).toBe(0);
    } finally {
      delete process.env[name];
    }
  });
});

describe('gatehouse config check, an authorization server config', () => {
  it('passes with split PostgreSQL + Redis stores and an OpenID upstream that answers', async () => {
    const upstreams = [
      {
        name: 'peer',
        displayName: 'Peer',
        type: 'oidc',
        issuer: provider.issuer,
        clientId: 'gatehouse',
        clientSecret: 'upstream-secret',
      },
      {
        name: 'social',
        displayName: 'Social',
        type: 'oauth2',
        authorizationEndpoint: 'http://127.0.0.1:1/authorize',
        tokenEndpoint: 'http://127.0.0.1:1/token',
        profileUrl: 'http://127.0.0.1:1/me',
        clientId: 'gatehouse',
        clientSecret: 'upstream-secret',
      },
    ];
    const path = configFile(asConfig({ store: { durable: postgresStore, ephemeral: redisStore }, upstreams }));
    const result = await gatehouse('config', 'check', '--config', path);
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout[0]).toBe('config: ok (authorization-server)');
    expect(result.stdout[1]).toMatch(/^store durable: ok \(postgres, /);
    expect(result.stdout[2]).toMatch(/^store ephemeral: ok \(redis, /);
    expect(result.stdout[3]).toBe(`upstream peer discovery: ok (${provider.issuer})`);
    expect(result.stdout[4]).toMatch(/^upstream social: ok \(type oauth2/);
  });

  it('checks nothing external without upstreams: the store only', async () => {
    const result = await gatehouse('config', 'check', '--config', configFile(asConfig()));
    expect(result.code).toBe(0);
    expect(result.stdout).toHaveLength(2);
    expect(result.stdout[1]).toMatch(/^store: ok \(postgres, /);
  });

  it('changes no store schema: an old one is fine when the server migrates at start, a failure when it must not', async () => {
    // A schema of its own, never migrated: what a new deployment has before its first start.
    const fresh = `${postgresUrl}?schema=${runScopedName('cfgcheck_')}`;
    const auto = await gatehouse('config', 'check', '--config', configFile(asConfig({ store: fresh })));
    expect(auto.code).toBe(0);
    expect(auto.stdout[1]).toMatch(
      /^store: ok \(postgres, schema version 0 of \d+: the server migrates it at start\)$/,
    );
    const path = configFile(asConfig({ store: fresh, storeMigration: 'check' }));
    const check = await gatehouse('config', 'check', '--config', path);
    expect(check.code).toBe(1);
    expect(check.stderr).toHaveLength(1);
    expect(check.stderr[0]).toMatch(/^store: failed: store schema version 0 is older .*run gatehouse store migrate$/);
    // Still at version 0: the first check did not migrate it. After a migration, both pass.
    expect((await gatehouse('store', 'migrate', '--store', fresh)).stdout.join('\n')).toMatch(/from version 0 to/);
    const after = await gatehouse('config', 'check', '--config', path);
    expect(after.code).toBe(0);
    expect(after.stdout[1]).toMatch(/^store: ok \(postgres, answered in /);
  });

  it('fails, exit 1, when an upstream cannot be discovered', async () => {
    const upstreams = [
      {
        name: 'gone',
        displayName: 'Gone',
        type: 'oidc',
        issuer: 'http://127.0.0.1:1',
        clientId: 'g',
        clientSecret: 'gone-upstream-secret',
      },
    ];
    const result = await gatehouse('config', 'check', '--config', configFile(asConfig({ upstreams })));
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual(['upstream gone discovery: failed: provider unreachable: http://127.0.0.1:1']);
  });

  it('applies the cross-field rules the server applies: exit 2, one line naming the field', async () => {
    const path = configFile(asConfig({ refreshTokenTtlSeconds: 3600, refreshTokenIdleTtlSeconds: 7200 }));
    const result = await gatehouse('config', 'check', '--config', path);
    expect(result.code).toBe(2);
    expect(result.stdout).toEqual([]);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(new RegExp(`^${path}: refreshTokenIdleTtlSeconds: `));
  });
});

describe('gatehouse config check, the kind of config', () => {
  it('is told from the fields, or given with --kind', async () => {
    const asFile = configFile(asConfig({ store: 'memory' }));
    expect((await gatehouse('config', 'check', '--config', asFile)).stdout[0]).toBe(
      'config: ok (authorization-server)',
    );
    // Read as a BFF config, the same file is invalid: --kind wins over the guess.
    const asBff = await gatehouse('config', 'check', '--config', asFile, '--kind', 'bff');
    expect(asBff.code).toBe(2);
    expect(asBff.stderr[0]).toMatch(new RegExp(`^${asFile}: `));
  });

  it('refuses a file it cannot tell, and an unknown --kind, exit 2', async () => {
    const unclear = await gatehouse('config', 'check', '--config', configFile({ store: 'memory' }));
    expect(unclear.code).toBe(2);
    expect(unclear.stderr[0]).toMatch(/add --kind authorization-server or --kind bff$/);
    const wrong = await gatehouse('config', 'check', '--config', configFile(asConfig()), '--kind', 'api');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toEqual(['gatehouse config check: --kind must be authorization-server or bff']);
  });

  it('has --help, and needs --config', async () => {
    const help = await gatehouse('config', 'check', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout[0]).toMatch(/^Usage: gatehouse config check --config FILE/);
    const bare = await gatehouse('config', 'check');
    expect(bare).toMatchObject({ code: 2, stderr: ['gatehouse config check: --config is required'] });
  });
});

describe('a server whose secret is missing', () => {
  it('does not start: one line naming the field and the variable or file, exit 2', async () => {
    const name = runScopedName('GATEHOUSE_TEST_COOKIE_SECRET_');
    const asFile = configFile(asConfig({ store: 'memory', cookieSecrets: [{ env: name }] }));
    const as = await gatehouse('authorization-server', '--config', asFile);
    expect(as).toMatchObject({
      code: 2,
      stdout: [],
      stderr: [`${asFile}: cookieSecrets.0: environment variable ${name} is not set`],
    });
    const keyFile = join(folder, 'no-such-key');
    const bffFile = configFile(bffConfig({ store: 'memory', tokenEncryptionKeys: [{ file: keyFile }] }));
    const bff = await gatehouse('bff', '--config', bffFile);
    expect(bff).toMatchObject({
      code: 2,
      stdout: [],
      stderr: [`${bffFile}: tokenEncryptionKeys.0: secret file ${keyFile}: no such file`],
    });
  });
});
