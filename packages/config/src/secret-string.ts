import { type StringOptions, type TString, Type } from '@sinclair/typebox';

/**
 * The schema keyword that marks a string field as a secret. A JSON Schema extension keyword: the
 * validator ignores it; `parseConfig` reads it to resolve references, the docs tables to say so.
 */
export const secretKeyword = 'x-gatehouse-secret';

/**
 * A string field that holds a secret (a password, a client secret, a key, a store URL that may carry
 * a password). In a configuration it may be the string itself, or a reference that `parseConfig`
 * replaces with the string before validation: `{ "env": "NAME" }` (an environment variable) or
 * `{ "file": "/run/secrets/name" }` (a file's contents, one trailing newline dropped). The options
 * are `Type.String`'s and check the resolved value.
 *
 * @example
 * clientSecret: secretString({ minLength: 16, description: 'the BFF’s client secret' }),
 */
export function secretString(options: StringOptions = {}): TString {
  return Type.String({ ...options, [secretKeyword]: true });
}

/** Whether a schema node is a {@link secretString}. */
export function isSecretSchema(node: unknown): boolean {
  return node !== null && typeof node === 'object' && (node as Record<string, unknown>)[secretKeyword] === true;
}
