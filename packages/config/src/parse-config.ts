import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError } from './config-error.js';
import { resolveSecretReferences, type SecretSources } from './secret-reference.js';

export interface ParseConfigOptions {
  /**
   * Top-level fields that were renamed, old name → new name: a file that still uses the old name is
   * refused with a line naming the new one, rather than a bare "unknown field".
   */
  renamed?: Readonly<Record<string, string>>;
  /** Where `{ "env": … }` references of secret fields are looked up. Default `process.env`. */
  env?: SecretSources['env'];
}

/**
 * Applies the schema's defaults to a copy of `input`, checks the result and returns it frozen.
 *
 * Secret fields (`secretString`) given as `{ "env": "NAME" }` or `{ "file": "PATH" }` are resolved
 * first (see `resolveSecretReferences`), so the schema checks, and the caller sees, strings.
 * The caller's object is never modified. The first problem found becomes a one-line
 * {@link ConfigError}: `<label>: <field>: <what was expected>`; for a resolved secret it says where
 * the value came from, never the value.
 *
 * @example
 * const config = parseConfig(storeConfigSchema, JSON.parse(text), 'store config');
 */
export function parseConfig<S extends TSchema>(
  schema: S,
  input: unknown,
  label: string,
  options: ParseConfigOptions = {},
): Readonly<Static<S>> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(`${label}: (root): expected a JSON object`, '(root)');
  }
  for (const [old, current] of Object.entries(options.renamed ?? {})) {
    if (Object.hasOwn(input, old)) throw new ConfigError(`${label}: ${old}: renamed to ${current}`, old);
  }
  const resolved = resolveSecretReferences(schema, input, label, { env: options.env });
  const withDefaults = Value.Default(schema, Value.Clone(resolved.value));
  const problem = Value.Errors(schema, withDefaults).First();
  if (problem) {
    const field = formatPath(problem.path);
    const origin = resolved.origins.get(field);
    const source = origin === undefined ? '' : `; the value comes from ${origin}`;
    throw new ConfigError(`${label}: ${field}: ${describeProblem(problem.message, problem.schema)}${source}`, field);
  }
  return deepFreeze(withDefaults as Static<S>);
}

/** `/clients/0/redirect_uris` → `clients.0.redirect_uris`. */
function formatPath(pointer: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  return segments.length === 0 ? '(root)' : segments.join('.');
}

function describeProblem(message: string, schema: TSchema): string {
  // TypeBox's own message plus the schema's description, so "Expected string" says what the field is for.
  const description = typeof schema.description === 'string' ? ` (${schema.description})` : '';
  return `${message}${description}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
