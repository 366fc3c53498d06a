import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@gatehouse/test-kit';
import { describe, expect, it } from 'vitest';
import { type Io, runGatehouse } from '../src/index.js';

/** Runs a command in-process with `stdin` as standard input; `stop` ends a server command. */
function gatehouse(args: string[], stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (signal: string) => void = () => undefined;
  const io: Io = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stopSignal: new Promise((resolve) => {
      stop = resolve;
    }),
    readStdin: async () => stdin,
  };
  const done = runGatehouse(args, io).then((code) => ({ code, stdout: out.join('\n'), stderr: err.join('\n') }));
  return { done, stop: (signal = 'SIGTERM') => stop(signal), out };
}

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-as-cli-'));

async function serverConfig() {
  const port = await freePort();
  const path = join(folder, `as-${port}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      issuer: `http://127.0.0.1:${port}`,
      port,
      store: `sqlite:${join(folder, `as-${port}.db`)}`,
      cookieSecrets: ['cli-test-cookie-secret-0123456789abcdef'],
      keyActivationDelaySeconds: 360,
    }),
  );
  return { path, port, issuer: `http://127.0.0.1:${port}` };
}

describe('gatehouse authorization-server, users add, clients add, keys rotate', () => {
  it('runs a server from a config file, and the admin commands change what it serves', async () => {
    const config = await serverConfig();

    const added = await gatehouse(
      ['users', 'add', '--config', config.path, '--email', 'bob@example.com', '--password-stdin', '--name', 'Bob'],
      'a long enough passphrase\n',
    ).done;
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toMatch(/^created bob@example.com \(sub usr_/);
    const again = await gatehouse(
      ['users', 'add', '--config', config.path, '--email', 'BOB@example.com', '--password-stdin'],
      'another passphrase\n',
    ).done;
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('gatehouse users add: email: an account with BOB@example.com already exists');

    const client = {
      client_id: 'reports',
      client_secret: 'reports-secret-0123456789abcdefghijkl',
      grant_types: ['client_credentials'],
      scope: 'reports:read',
    };
    const registered = await gatehouse(['clients', 'add', '--config', config.path, '--json', JSON.stringify(client)])
      .done;
    expect(registered).toMatchObject({ code: 0, stdout: 'registered reports (confidential, client_secret_basic)' });

    const server = gatehouse(['authorization-server', '--config', config.path]);
    await waitFor(() => server.out.some((line) => line.startsWith('Gatehouse authorization server')));
    const discovery = (await (await fetch(`${config.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(discovery.issuer).toBe(config.issuer);
    const token = await fetch(discovery.token_endpoint as string, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`reports:${client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    expect(((await token.json()) as { scope: string }).scope).toBe('reports:read');

    const before = ((await (await fetch(discovery.jwks_uri as string)).json()) as { keys: unknown[] }).keys.length;
    const rotated = await gatehouse(['keys', 'rotate', '--config', config.path]).done;
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^added keys \S+, \S+; they sign from /);

    server.stop();
    expect((await server.done).code).toBe(0);
    // A restarted server publishes the old and the new keys (the old ones until their tokens expire).
    const restarted = gatehouse(['authorization-server', '--config', config.path]);
    await waitFor(() => restarted.out.some((line) => line.startsWith('Gatehouse authorization server')));
    const after = ((await (await fetch(discovery.jwks_uri as string)).json()) as { keys: unknown[] }).keys.length;
    expect(after).toBe(before + 2);
    restarted.stop();
    expect((await restarted.done).code).toBe(0);
  });

  it('refuses weak passwords and bad client metadata in one line naming the field, exit 2', async () => {
    const config = await serverConfig();
    const weak = await gatehouse(
      ['users', 'add', '--config', config.path, '--email', 'c@example.com', '--password-stdin'],
      'password\n',
    ).done;
    expect(weak.code).toBe(2);
    expect(weak.stderr).toBe('gatehouse users add: password: This password is too common. Choose another one.');
    const noStdin = await gatehouse(['users', 'add', '--config', config.path, '--email', 'c@example.com']).done;
    expect(noStdin).toMatchObject({ code: 2, stderr: 'gatehouse users add: --password-stdin is required' });

    const wildcard = { client_id: 'x', client_secret: 'x'.repeat(32), redirect_uris: ['https://*.example.com/cb'] };
    const bad = await gatehouse(['clients', 'add', '--config', config.path, '--json', JSON.stringify(wildcard)]).done;
    expect(bad).toMatchObject({
      code: 2,
      stderr: 'gatehouse clients add: redirect_uris.0: must not contain a wildcard',
    });
    const notJson = await gatehouse(['clients', 'add', '--config', config.path, '--json', '{']).done;
    expect(notJson).toMatchObject({ code: 2, stderr: 'gatehouse clients add: --json: not valid JSON' });
  });

  it('refuses a config with plain http off localhost, naming the field', async () => {
    const path = join(folder, 'http.json');
    writeFileSync(path, JSON.stringify({ issuer: 'http://id.example.com', cookieSecrets: ['s'.repeat(32)] }));
    const result = await gatehouse(['authorization-server', '--config', path]).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${path}: issuer: must use https (plain http only on localhost)`);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
