import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { listConfigFields } from '../src/index.js';

function fieldAt(schema: Parameters<typeof listConfigFields>[0], path: string) {
  const field = listConfigFields(schema).find((candidate) => candidate.path === path);
  if (!field) throw new Error(`no field ${path}`);
  return field;
}

describe('listConfigFields', () => {
  it('lists each field with its type, default and description, in schema order', () => {
    const schema = Type.Object({
      issuer: Type.String({ description: 'the issuer URL' }),
      accessTokenTtlSeconds: Type.Integer({ minimum: 30, maximum: 86400, default: 3600, description: 'lifetime' }),
    });
    expect(listConfigFields(schema)).toEqual([
      { path: 'issuer', type: 'string', default: '—', description: 'the issuer URL' },
      { path: 'accessTokenTtlSeconds', type: 'integer 30–86400', default: '3600', description: 'lifetime' },
    ]);
  });

  it('flattens nested objects into dotted paths, each container keeping a row of its own', () => {
    const limit = Type.Object(
      { limit: Type.Integer({ default: 60 }), windowSeconds: Type.Integer({ default: 60 }) },
      { default: {} },
    );
    const schema = Type.Object({ rateLimits: Type.Object({ login: limit }, { default: {} }) });
    expect(listConfigFields(schema).map((field) => [field.path, field.type, field.default])).toEqual([
      ['rateLimits', 'object', '{}'],
      ['rateLimits.login', 'object', '{}'],
      ['rateLimits.login.limit', 'integer', '60'],
      ['rateLimits.login.windowSeconds', 'integer', '60'],
    ]);
  });

  it('lists the item fields of an array of objects under `name[]`', () => {
    const route = Type.Object({ path: Type.String(), token: Type.String({ default: 'user' }) });
    const schema = Type.Object({ routes: Type.Array(route, { default: [] }) });
    expect(listConfigFields(schema).map((field) => [field.path, field.type, field.default])).toEqual([
      ['routes', 'array of object', '[]'],
      ['routes[].path', 'string', '—'],
      ['routes[].token', 'string', '"user"'],
    ]);
  });

  it('does not descend into records or unions', () => {
    const schema = Type.Object({
      jwks: Type.Record(Type.String(), Type.Unknown()),
      store: Type.Union([Type.String(), Type.Object({ durable: Type.String() })]),
    });
    expect(listConfigFields(schema).map((field) => [field.path, field.type])).toEqual([
      ['jwks', 'object'],
      ['store', 'string | object'],
    ]);
  });

  it('says `—` for a required field and `none` for an optional one without a default', () => {
    const schema = Type.Object({ clientId: Type.String(), apiBaseUrl: Type.Optional(Type.String()) });
    expect(fieldAt(schema, 'clientId').default).toBe('—');
    expect(fieldAt(schema, 'apiBaseUrl').default).toBe('none');
  });

  it('renders defaults as JSON that reads as a list', () => {
    const schema = Type.Object({
      host: Type.String({ default: '127.0.0.1' }),
      registration: Type.Boolean({ default: true }),
      scopes: Type.Array(Type.String(), { default: ['openid', 'profile'] }),
      claims: Type.Object({ sub: Type.String() }, { default: { sub: 'id' } }),
    });
    expect(listConfigFields(schema).map((field) => field.default)).toEqual([
      '"127.0.0.1"',
      'true',
      '["openid", "profile"]',
      '{ "sub": "id" }',
      '—',
    ]);
  });

  it('puts types in words: literals, bounds and arrays', () => {
    const schema = Type.Object({
      alg: Type.Union([Type.Literal('ES256'), Type.Literal('RS256'), Type.Literal('EdDSA')]),
      port: Type.Integer({ minimum: 0, maximum: 65535 }),
      refreshTokenTtlSeconds: Type.Integer({ minimum: 60 }),
      ratio: Type.Number({ maximum: 1 }),
      name: Type.String({ maxLength: 200 }),
      displayName: Type.String({ minLength: 1, maxLength: 60 }),
      clientId: Type.String({ minLength: 1 }),
      secret: Type.String({ minLength: 32 }),
      registration: Type.Boolean(),
      resources: Type.Array(Type.String()),
      cookieSecrets: Type.Array(Type.String({ minLength: 32 }), { minItems: 1 }),
      responseTypes: Type.Array(Type.Union([Type.Literal('code'), Type.Literal('token')]), { maxItems: 2 }),
      anything: Type.Unknown(),
    });
    expect(listConfigFields(schema).map((field) => field.type)).toEqual([
      '"ES256" | "RS256" | "EdDSA"',
      'integer 0–65535',
      'integer ≥ 60',
      'number ≤ 1',
      'string, ≤ 200 characters',
      'string, 1–60 characters',
      'non-empty string',
      'string, ≥ 32 characters',
      'boolean',
      'array of string',
      'non-empty array of (string, ≥ 32 characters)',
      'array of ("code" | "token"), ≤ 2 items',
      'any',
    ]);
  });

  it('reads a string wrapped in Type.Unsafe as a string', () => {
    const schema = Type.Object({
      token: Type.Union([
        Type.Literal('user'),
        Type.Unsafe<`upstream:${string}`>(Type.String({ pattern: '^upstream:' })),
      ]),
    });
    expect(fieldAt(schema, 'token').type).toBe('"user" | string');
  });

  it('refuses a schema that is not an object with properties', () => {
    expect(() => listConfigFields(Type.String())).toThrow(TypeError);
  });
});
