import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, readConfigFile } from '../src/index.js';

const schema = Type.Object(
  {
    issuer: Type.String({ pattern: '^https?://', description: 'the issuer URL' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 4000 }),
    clients: Type.Array(
      Type.Object(
        { client_id: Type.String({ minLength: 1 }), scope: Type.String({ default: 'openid' }) },
        {
          additionalProperties: false,
        },
      ),
      { default: [] },
    ),
  },
  { additionalProperties: false },
);

function problemOf(input: unknown): ConfigError {
  try {
    parseConfig(schema, input, 'as config');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('refuses a renamed field in one line that names the new one', () => {
    const renamed = { listenPort: 'port' };
    const input = { issuer: 'http://localhost:4000', listenPort: 4000 };
    expect(() => parseConfig(schema, input, 'as config', { renamed })).toThrow(
      new ConfigError('as config: listenPort: renamed to port', 'listenPort'),
    );
    expect(parseConfig(schema, { issuer: 'http://localhost:4000', port: 1 }, 'as config', { renamed }).port).toBe(1);
  });

  it('applies typed defaults, nested ones included', () => {
    const config = parseConfig(schema, { issuer: 'http://localhost:4000', clients: [{ client_id: 'a' }] }, 'as config');
    expect(config).toEqual({
      issuer: 'http://localhost:4000',
      port: 4000,
      clients: [{ client_id: 'a', scope: 'openid' }],
    });
  });

  it('does not modify the caller’s object and returns a frozen one', () => {
    const input = { issuer: 'http://localhost:4000', clients: [{ client_id: 'a' }] };
    const config = parseConfig(schema, input, 'as config');
    expect(input).toEqual({ issuer: 'http://localhost:4000', clients: [{ client_id: 'a' }] });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.clients[0])).toBe(true);
  });

  it('names a misspelt key in one line', () => {
    const error = problemOf({ issuer: 'http://localhost:4000', prot: 4000 });
    expect(error.field).toBe('prot');
    expect(error.message).toMatch(/^as config: prot: /);
    expect(error.message).not.toContain('\n');
  });

  it('names a nested field with its path', () => {
    const error = problemOf({ issuer: 'http://localhost:4000', clients: [{ client_id: 'a' }, { client_id: '' }] });
    expect(error.field).toBe('clients.1.client_id');
  });

  it('names a field of the wrong type, with its description', () => {
    const error = problemOf({ issuer: 42 });
    expect(error.field).toBe('issuer');
    expect(error.message).toContain('the issuer URL');
  });

  it('names a missing required field', () => {
    expect(problemOf({}).field).toBe('issuer');
  });

  it('refuses input that is not an object', () => {
    for (const input of [null, [], 'text', 5]) expect(problemOf(input).field).toBe('(root)');
  });
});

describe('readConfigFile', () => {
  const folder = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));

  it('reads a JSON file', async () => {
    const path = join(folder, 'ok.json');
    writeFileSync(path, '{"port": 1}');
    expect(await readConfigFile(path)).toEqual({ port: 1 });
  });

  it('refuses a missing file, naming it', async () => {
    const path = join(folder, 'missing.json');
    await expect(readConfigFile(path)).rejects.toMatchObject({
      code: 'ERR_GATEHOUSE_CONFIG',
      message: `${path}: no such file`,
    });
  });

  it('refuses invalid JSON in one line', async () => {
    const path = join(folder, 'bad.json');
    writeFileSync(path, '{"port": ,\n}');
    const error = await readConfigFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses a file over 1 MiB', async () => {
    const path = join(folder, 'huge.json');
    writeFileSync(path, `"${'x'.repeat(1024 * 1024)}"`);
    await expect(readConfigFile(path)).rejects.toBeInstanceOf(ConfigError);
  });
});
