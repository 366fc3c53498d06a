import { tracingConfigSchema } from '@gatehouse/server-kit';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** The demo API's configuration; every field but the issuer has a default. */
export const demoApiConfigSchema = Type.Object(
  {
    issuer: Type.String({ pattern: '^https?://', description: 'the authorization server’s issuer URL' }),
    audience: Type.String({
      minLength: 1,
      default: 'http://localhost:5000',
      description: 'this API’s identifier (aud)',
    }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 5000 }),
    store: Type.String({ default: 'sqlite:.gatehouse/api.db' }),
    /** Origins of browser apps that call the API directly (public-client pattern). Default none. */
    corsOrigins: Type.Array(Type.String({ pattern: '^https?://[^/?#\\s]+$' }), { default: [] }),
    /**
     * Require `appsecret_proof` (HMAC-SHA256 of the token keyed with the client's secret) on every
     * call, for the clients listed by `client_id`. Default: not required.
     */
    appsecretProof: Type.Optional(
      Type.Object(
        {
          required: Type.Boolean({ default: true }),
          clientSecrets: Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 16 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** OpenTelemetry spans, off by default; behind the BFF, trust its `traceparent` to continue its traces. */
    tracing: tracingConfigSchema,
  },
  { additionalProperties: false },
);
export type DemoApiConfig = Static<typeof demoApiConfigSchema>;

/** Applies defaults and checks; throws `TypeError` naming the first bad field. */
export function loadDemoApiConfig(input: unknown): Readonly<DemoApiConfig> {
  const config = Value.Default(demoApiConfigSchema, Value.Clone(input));
  const problem = Value.Errors(demoApiConfigSchema, config).First();
  if (problem)
    throw new TypeError(
      `demo api config: ${problem.path.slice(1).replaceAll('/', '.') || '(root)'}: ${problem.message}`,
    );
  return Object.freeze(config as DemoApiConfig);
}
