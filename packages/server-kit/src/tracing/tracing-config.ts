import { type Static, Type } from '@sinclair/typebox';

/**
 * The `tracing` section both servers share. Off by default: with `enabled: false` no hook, wrapper
 * or observer is installed, so no request pays for tracing.
 */
export const tracingConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'OpenTelemetry spans for requests, outgoing calls and store calls (to the registered provider)',
    }),
    trustIncomingTraceContext: Type.Boolean({
      default: false,
      description: 'continue the trace of an incoming traceparent; only where every caller is trusted',
    }),
  },
  { additionalProperties: false, default: {}, description: 'OpenTelemetry tracing' },
);
export type TracingConfig = Static<typeof tracingConfigSchema>;
