import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@gatehouse/config';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBffConfig } from '../../src/config/bff-config.js';

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-bff-secrets-'));
const variables: string[] = [];
/** Sets an environment variable of this test run's own and returns its name. */
function variable(value: string): string {
  const name = `GATEHOUSE_TEST_BFF_${process.pid}_${variables.length}`;
  process.env[name] = value;
  variables.push(name);
  return name;
}
afterEach(() => {
  for (const name of variables.splice(0)) delete process.env[name];
});

const base = {
  publicUrl: 'http://localhost:3000',
  issuer: 'http://localhost:4000',
  clientId: 'demo-bff',
};

describe('BFF secret fields', () => {
  it('take clientSecret, store and each token-encryption key from the environment or a file', () => {
    const clientSecret = randomBytes(24).toString('base64url');
    const newKey = randomBytes(32).toString('base64url');
    const oldKey = randomBytes(32).toString('base64url');
    const keyFile = join(folder, 'token-key');
    writeFileSync(keyFile, `${newKey}\n`);
    const config = loadBffConfig({
      ...base,
      clientSecret: { env: variable(clientSecret) },
      store: { env: variable('redis://:a-password@cache.internal:6379') },
      tokenEncryptionKeys: [{ file: keyFile }, oldKey],
    });
    expect(config.clientSecret).toBe(clientSecret);
    expect(config.store).toBe('redis://:a-password@cache.internal:6379');
    expect(config.tokenEncryptionKeys).toEqual([newKey, oldKey]);
  });

  it('refuses a reference on a field that is not secret, naming it', () => {
    try {
      loadBffConfig({
        ...base,
        clientId: { env: variable('demo-bff') },
        clientSecret: randomBytes(24).toString('base64url'),
        tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('clientId');
    }
  });
});
