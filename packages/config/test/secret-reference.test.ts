import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, listConfigFields, listSecretValues, parseConfig, secretString } from '../src/index.js';

const schema = Type.Object(
  {
    issuer: Type.String({ pattern: '^https?://', description: 'the issuer URL' }),
    clientSecret: secretString({ minLength: 16, description: 'the client secret' }),
    cookieSecrets: Type.Array(secretString({ minLength: 8 }), { minItems: 1 }),
    store: Type.Union(
      [
        secretString({ pattern: '^(memory|postgres://.+)$' }),
        Type.Object(
          {
            durable: secretString({ pattern: '^postgres://.+$' }),
            ephemeral: secretString({ pattern: '^redis://.+$' }),
          },
          { additionalProperties: false },
        ),
      ],
      { default: 'memory' },
    ),
    clients: Type.Array(
      Type.Object(
        { client_id: Type.String({ minLength: 1 }), client_secret: Type.Optional(secretString({ minLength: 8 })) },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    jwks: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-secrets-'));
function secretFile(name: string, content: string): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

const base = {
  issuer: 'https://id.example.com',
  clientSecret: 'a-literal-client-secret',
  cookieSecrets: ['literal-1'],
};

function parse(input: Record<string, unknown>, env: Record<string, string | undefined> = {}) {
  return parseConfig(schema, { ...base, ...input }, 'bff.json', { env });
}

function problemOf(input: Record<string, unknown>, env: Record<string, string | undefined> = {}): ConfigError {
  try {
    parse(input, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('secret fields from the environment', () => {
  it('takes a variable’s value in place of the reference', () => {
    const config = parse({ clientSecret: { env: 'BFF_SECRET' } }, { BFF_SECRET: 'from-the-environment-0123' });
    expect(config.clientSecret).toBe('from-the-environment-0123');
  });

  it('refuses a variable that is not set, naming the field and the variable', () => {
    const problem = problemOf({ clientSecret: { env: 'BFF_SECRET' } });
    expect(problem.code).toBe('ERR_GATEHOUSE_CONFIG');
    expect(problem.field).toBe('clientSecret');
    expect(problem.message).toBe('bff.json: clientSecret: environment variable BFF_SECRET is not set');
  });

  it('refuses an empty variable', () => {
    const problem = problemOf({ clientSecret: { env: 'BFF_SECRET' } }, { BFF_SECRET: '' });
    expect(problem.field).toBe('clientSecret');
    expect(problem.message).toContain('BFF_SECRET is empty');
  });

  it('refuses a name that is no variable name', () => {
    expect(problemOf({ clientSecret: { env: 'BFF SECRET; rm' } }).field).toBe('clientSecret');
    expect(problemOf({ clientSecret: { env: '' } }).field).toBe('clientSecret');
  });

  it('reads process.env when no environment is given', () => {
    const name = `GATEHOUSE_TEST_SECRET_${process.pid}`;
    process.env[name] = 'from-process-env-0123456';
    try {
      const config = parseConfig(schema, { ...base, clientSecret: { env: name } }, 'bff.json');
      expect(config.clientSecret).toBe('from-process-env-0123456');
    } finally {
      delete process.env[name];
    }
  });

  it('validates the resolved value and says where it came from, never what it is', () => {
    const problem = problemOf({ clientSecret: { env: 'BFF_SECRET' } }, { BFF_SECRET: 'short-secret' });
    expect(problem.field).toBe('clientSecret');
    expect(problem.message).toMatch(/^bff\.json: clientSecret: .*environment variable BFF_SECRET$/);
    expect(problem.message).not.toContain('short-secret');
  });
});

describe('secret fields from files', () => {
  it('takes the file’s contents less one trailing newline', () => {
    const path = secretFile('client-secret', 'from-a-file-0123456789\n');
    expect(parse({ clientSecret: { file: path } }).clientSecret).toBe('from-a-file-0123456789');
    const crlf = secretFile('client-secret-crlf', 'from-a-file-0123456789\r\n');
    expect(parse({ clientSecret: { file: crlf } }).clientSecret).toBe('from-a-file-0123456789');
    const two = secretFile('client-secret-two', 'from-a-file-0123456789 \n\n');
    expect(parse({ clientSecret: { file: two } }).clientSecret).toBe('from-a-file-0123456789 \n');
  });

  it('refuses a missing file, naming the field and the file', () => {
    const path = join(folder, 'nowhere');
    const problem = problemOf({ clientSecret: { file: path } });
    expect(problem.field).toBe('clientSecret');
    expect(problem.message).toBe(`bff.json: clientSecret: secret file ${path}: no such file`);
  });

  it('refuses an empty file, a folder and an unreadable file', () => {
    expect(problemOf({ clientSecret: { file: secretFile('empty', '\n') } }).message).toMatch(/is empty$/);
    const dir = join(folder, 'a-folder');
    mkdirSync(dir);
    expect(problemOf({ clientSecret: { file: dir } }).message).toMatch(/not a regular file$/);
    const locked = secretFile('locked', 'a-secret-nobody-may-read');
    chmodSync(locked, 0o000);
    // root reads any file; elsewhere the mode is refused.
    if (process.getuid?.() !== 0) expect(problemOf({ clientSecret: { file: locked } }).message).toMatch(/denied$/);
  });

  it('refuses a file too large to be a secret', () => {
    const big = secretFile('big', 'x'.repeat(70 * 1024));
    expect(problemOf({ clientSecret: { file: big } }).message).toMatch(/larger than 65536 bytes$/);
  });

  it('names the file when its contents fail the schema, not the contents', () => {
    const path = secretFile('too-short', 'tiny\n');
    const problem = problemOf({ clientSecret: { file: path } });
    expect(problem.field).toBe('clientSecret');
    expect(problem.message).toContain(`the value comes from file ${path}`);
    expect(problem.message).not.toContain('tiny');
  });
});

describe('secret references inside arrays, unions and objects', () => {
  it('resolves array entries one by one, next to literals', () => {
    const config = parse(
      { cookieSecrets: [{ env: 'COOKIE_A' }, 'literal-2', { file: secretFile('c', 'file-cookie\n') }] },
      {
        COOKIE_A: 'env-cookie',
      },
    );
    expect(config.cookieSecrets).toEqual(['env-cookie', 'literal-2', 'file-cookie']);
  });

  it('names the array entry that failed', () => {
    const problem = problemOf({ cookieSecrets: ['literal-1', { env: 'COOKIE_B' }] });
    expect(problem.field).toBe('cookieSecrets.1');
    expect(problem.message).toBe('bff.json: cookieSecrets.1: environment variable COOKIE_B is not set');
  });

  it('resolves secrets of objects inside arrays', () => {
    const config = parse(
      { clients: [{ client_id: 'a' }, { client_id: 'b', client_secret: { env: 'B_SECRET' } }] },
      {
        B_SECRET: 'b-client-secret',
      },
    );
    expect(config.clients).toEqual([{ client_id: 'a' }, { client_id: 'b', client_secret: 'b-client-secret' }]);
    expect(problemOf({ clients: [{ client_id: 'b', client_secret: { env: 'B_SECRET' } }] }).field).toBe(
      'clients.0.client_secret',
    );
  });

  it('resolves a store URL given whole, or each side of a split store', () => {
    const url = 'postgres://gatehouse:hunter2hunter2@db.internal/gatehouse';
    expect(parse({ store: { env: 'STORE_URL' } }, { STORE_URL: url }).store).toBe(url);
    const split = parse(
      { store: { durable: { env: 'DURABLE' }, ephemeral: { file: secretFile('redis', 'redis://:pw@cache:6379\n') } } },
      { DURABLE: url },
    );
    expect(split.store).toEqual({ durable: url, ephemeral: 'redis://:pw@cache:6379' });
  });

  it('does not modify the caller’s object', () => {
    const input = { ...base, clientSecret: { env: 'BFF_SECRET' }, cookieSecrets: [{ env: 'COOKIE_A' }] };
    parseConfig(schema, input, 'bff.json', {
      env: { BFF_SECRET: 'from-the-environment-0123', COOKIE_A: 'env-cookie' },
    });
    expect(input.clientSecret).toEqual({ env: 'BFF_SECRET' });
    expect(input.cookieSecrets).toEqual([{ env: 'COOKIE_A' }]);
  });
});

describe('what is not a secret reference', () => {
  it('refuses a reference on a field that is not a secret, naming it', () => {
    const problem = problemOf({ issuer: { env: 'ISSUER' } }, { ISSUER: 'https://id.example.com' });
    expect(problem.field).toBe('issuer');
    expect(problem.message).toMatch(/^bff\.json: issuer: takes no \{ "env" \} or \{ "file" \} reference/);
  });

  it('refuses a reference with both keys or another key', () => {
    expect(problemOf({ clientSecret: { env: 'A', file: '/b' } }).field).toBe('clientSecret');
    expect(problemOf({ clientSecret: { env: 'A', fallback: 'x' } }).message).toMatch(/nothing else$/);
    expect(problemOf({ clientSecret: { env: 42 } }).message).toMatch(/"env" must be a non-empty string$/);
  });

  it('leaves objects in fields that take objects alone', () => {
    const config = parse({ jwks: { file: 'not-a-reference', env: 'not-one-either' } });
    expect(config.jwks).toEqual({ file: 'not-a-reference', env: 'not-one-either' });
  });

  it('still refuses an object in a secret field that is no reference, as the schema does', () => {
    expect(problemOf({ clientSecret: { value: 'x' } }).field).toBe('clientSecret');
  });
});

describe('listSecretValues', () => {
  it('lists every secret string of a parsed configuration, and nothing else', () => {
    const config = parse({
      store: { durable: 'postgres://u:p@db/x', ephemeral: 'redis://:q@cache' },
      clients: [{ client_id: 'a', client_secret: 'a-secret' }],
    });
    expect(listSecretValues(schema, config).sort()).toEqual(
      ['a-literal-client-secret', 'literal-1', 'postgres://u:p@db/x', 'redis://:q@cache', 'a-secret'].sort(),
    );
  });
});

describe('the docs tables', () => {
  it('say which fields take a secret', () => {
    const types = Object.fromEntries(listConfigFields(schema).map((field) => [field.path, field.type]));
    expect(types.clientSecret).toBe('secret string, ≥ 16 characters');
    expect(types.cookieSecrets).toBe('non-empty array of (secret string, ≥ 8 characters)');
    expect(types.store).toBe('secret string | object');
    expect(types.issuer).toBe('string');
  });
});
