import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
function configFile(name: string, content: string): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

describe('gatehouse', () => {
  it('lists every command with --help and exits 0', async () => {
    const result = await gatehouse('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: gatehouse <command>');
    expect(result.stdout).toMatch(/^ {2}dev /m);
    expect(result.stdout).toMatch(/^ {2}store check /m);
  });

  it('prints the list and exits 2 without a command', async () => {
    const result = await gatehouse();
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Commands:');
  });

  it('refuses an unknown command in one line with exit 2', async () => {
    const result = await gatehouse('launch');
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toContain("'launch'");
  });

  it('suggests the commands of a group when the subcommand is unknown', async () => {
    const result = await gatehouse('store', 'wipe');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('gatehouse store check');
  });

  it('gives --help for a subcommand', async () => {
    const result = await gatehouse('store', 'check', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--config FILE');
  });

  it('refuses an unknown flag in one line with exit 2', async () => {
    const result = await gatehouse('store', 'check', '--stor', 'memory');
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^gatehouse store check: .*--stor/);
    expect(result.stderr.split('\n')).toHaveLength(1);
  });

  it('refuses a bad config field in one line naming the file and field, exit 2', async () => {
    const path = configFile('bad-store.json', JSON.stringify({ store: 42 }));
    const result = await gatehouse('store', 'check', '--config', path);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^${path}: store: `));
    expect(result.stderr.split('\n')).toHaveLength(1);
  });

  it('refuses a config file that is not JSON with exit 2', async () => {
    const result = await gatehouse('store', 'check', '--config', configFile('broken.json', '{ store: '));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not valid JSON');
  });

  it('checks a store named by a config file', async () => {
    const db = join(folder, 'check.db');
    const path = configFile('good.json', JSON.stringify({ store: `sqlite:${db}`, port: 4000 }));
    const result = await gatehouse('store', 'check', '--config', path);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^sqlite store OK/);
  });

  it('exits 1 with a one-line reason when the store is unreachable', async () => {
    const result = await gatehouse('store', 'check', '--store', 'redis://127.0.0.1:1');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('store check failed: Redis is unavailable');
  });
});

describe('the gatehouse binary', () => {
  const bin = join(import.meta.dirname, '..', 'dist', 'main.js');

  it('runs as a program: --help exits 0, a bad config exits 2 with one line on stderr', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('store check');
    const bad = spawnSync(process.execPath, [bin, 'store', 'check', '--config', configFile('b.json', '{"store": 1}')], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('gatehouse bff', () => {
  const key = 'A'.repeat(43);
  const base = {
    publicUrl: 'http://localhost:3000',
    issuer: 'http://127.0.0.1:1',
    clientId: 'demo-bff',
    clientSecret: 'a-long-enough-client-secret',
    tokenEncryptionKeys: [key],
    store: 'memory',
  };

  it('refuses to start without a client secret, naming the field, exit 2', async () => {
    const { clientSecret: _, ...withoutSecret } = base;
    const result = await gatehouse('bff', '--config', configFile('bff-no-secret.json', JSON.stringify(withoutSecret)));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/: clientSecret: /);
  });

  it('refuses plain http on a public host, naming the field, exit 2', async () => {
    const config = { ...base, publicUrl: 'http://app.example.com' };
    const result = await gatehouse('bff', '--config', configFile('bff-http.json', JSON.stringify(config)));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/: publicUrl: must use https/);
  });

  it('exits 1 with one line when the provider cannot be discovered', async () => {
    const result = await gatehouse('bff', '--config', configFile('bff-ok.json', JSON.stringify(base)));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gatehouse bff: cannot start: provider unreachable/);
    expect(result.stderr.split('\n')).toHaveLength(1);
  });
});
