import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@gatehouse/config';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAuthorizationServerConfig } from '../../src/config/as-config.js';

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-as-secrets-'));
const variables: string[] = [];
/** Sets an environment variable of this test run's own and returns its name. */
function variable(value: string): string {
  const name = `GATEHOUSE_TEST_AS_${process.pid}_${variables.length}`;
  process.env[name] = value;
  variables.push(name);
  return name;
}
afterEach(() => {
  for (const name of variables.splice(0)) delete process.env[name];
});

describe('authorization server secret fields', () => {
  it('take the store, cookie secrets, client secrets, seeded passwords and upstream secrets by reference', () => {
    const cookieFile = join(folder, 'cookie-secret');
    writeFileSync(cookieFile, 'a-cookie-secret-from-a-file-0123456789\n');
    const config = loadAuthorizationServerConfig({
      issuer: 'http://localhost:4000',
      store: {
        durable: { env: variable('postgres://gatehouse:pw@db.internal/gatehouse') },
        ephemeral: { env: variable('redis://:pw@cache.internal:6379') },
      },
      cookieSecrets: [{ file: cookieFile }, 'an-older-literal-cookie-secret-0123456789'],
      clients: [
        {
          client_id: 'demo-bff',
          client_secret: { env: variable('a-client-secret-from-the-environment-0123') },
          redirect_uris: ['http://localhost:3000/bff/callback'],
        },
      ],
      users: [{ email: 'alice@example.com', password: { env: variable('alice’s long passphrase') } }],
      upstreams: [
        {
          name: 'peer',
          displayName: 'Peer',
          type: 'oidc',
          issuer: 'http://localhost:4100',
          clientId: 'gatehouse',
          clientSecret: { env: variable('an-upstream-secret') },
        },
      ],
    });
    expect(config.store).toEqual({
      durable: 'postgres://gatehouse:pw@db.internal/gatehouse',
      ephemeral: 'redis://:pw@cache.internal:6379',
    });
    expect(config.cookieSecrets).toEqual([
      'a-cookie-secret-from-a-file-0123456789',
      'an-older-literal-cookie-secret-0123456789',
    ]);
    expect(config.clients[0]?.client_secret).toBe('a-client-secret-from-the-environment-0123');
    expect(config.users[0]?.password).toBe('alice’s long passphrase');
    expect(config.upstreams[0]?.clientSecret).toBe('an-upstream-secret');
  });

  it('names the field and the variable when one is missing', () => {
    const name = `GATEHOUSE_TEST_AS_${process.pid}_UNSET`;
    try {
      loadAuthorizationServerConfig({ issuer: 'http://localhost:4000', cookieSecrets: [{ env: name }] }, 'as.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('cookieSecrets.0');
      expect((error as ConfigError).message).toBe(`as.json: cookieSecrets.0: environment variable ${name} is not set`);
    }
  });
});
