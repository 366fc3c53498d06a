import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { ConfigError } from './config-error.js';
import { isSecretSchema } from './secret-string.js';

/** Largest secret file read; a secret is a few hundred bytes, a bigger file is the wrong file. */
const maxSecretFileBytes = 64 * 1024;
const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What this module reads of a JSON Schema node. */
interface SchemaNode {
  type?: string;
  anyOf?: readonly SchemaNode[];
  items?: SchemaNode;
  properties?: Readonly<Record<string, SchemaNode>>;
}

/** Where secret references are looked up. */
export interface SecretSources {
  /** The environment `{ "env": "NAME" }` reads. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedSecrets {
  /** A copy of the input with every reference replaced by the string it names. */
  value: unknown;
  /** Dotted path of each resolved field → where its value came from (`environment variable NAME`). */
  origins: ReadonlyMap<string, string>;
}

/**
 * Replaces each `{ "env": "NAME" }` or `{ "file": "PATH" }` in a secret field of `input` (see
 * `secretString`) with the string it names, so validation and the code after it see strings only.
 * The input is not modified. A variable that is not set or is empty, a file that cannot be read or is
 * empty, a malformed reference, or a reference on a field that is not a secret is a one-line
 * {@link ConfigError} naming the field and the variable or file, never a value.
 *
 * A file's contents are used as they are, less one trailing newline (`\n` or `\r\n`), which editors
 * and `echo` add. A relative path is relative to the working directory.
 *
 * @example
 * resolveSecretReferences(bffConfigSchema, { clientSecret: { env: 'BFF_SECRET' } }, 'bff.json');
 * // → { value: { clientSecret: '…' }, origins: Map { 'clientSecret' => 'environment variable BFF_SECRET' } }
 */
export function resolveSecretReferences(
  schema: TSchema,
  input: unknown,
  label: string,
  sources: SecretSources = {},
): ResolvedSecrets {
  const env = sources.env ?? process.env;
  const origins = new Map<string, string>();
  const fail = (path: string, problem: string): never => {
    const field = path || '(root)';
    throw new ConfigError(`${label}: ${field}: ${problem}`, field);
  };

  const resolveReference = (reference: Record<string, unknown>, path: string): string => {
    const keys = Object.keys(reference);
    const kind = keys[0];
    if (keys.length !== 1 || (kind !== 'env' && kind !== 'file')) {
      return fail(path, 'a secret reference is { "env": "NAME" } or { "file": "PATH" }, nothing else');
    }
    const target = reference[kind];
    if (typeof target !== 'string' || target === '') return fail(path, `"${kind}" must be a non-empty string`);
    if (kind === 'env') {
      if (!variableName.test(target))
        return fail(path, `${JSON.stringify(target)} is not an environment variable name`);
      const value = env[target];
      if (value === undefined) return fail(path, `environment variable ${target} is not set`);
      if (value === '') return fail(path, `environment variable ${target} is empty`);
      origins.set(path, `environment variable ${target}`);
      return value;
    }
    const value = readSecretFile(target, (problem) => fail(path, `secret file ${target}: ${problem}`));
    origins.set(path, `file ${target}`);
    return value;
  };

  const resolveNode = (node: SchemaNode, value: unknown, path: string): unknown => {
    if (isReference(value)) {
      if (acceptsSecret(node)) return resolveReference(value, path);
      if (!acceptsObject(node)) {
        fail(path, 'takes no { "env" } or { "file" } reference: only secret fields do (see docs/configuration.md)');
      }
    }
    if (isPlainObject(value)) {
      const object = node.properties ? node : node.anyOf?.find((member) => covers(member, value));
      const properties = object?.properties;
      if (properties === undefined) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, child]) => {
          const childNode = Object.hasOwn(properties, key) ? properties[key] : undefined;
          return [key, childNode ? resolveNode(childNode, child, join(path, key)) : child];
        }),
      );
    }
    if (Array.isArray(value) && node.items !== undefined) {
      const items = node.items;
      return value.map((item, i) => resolveNode(items, item, join(path, String(i))));
    }
    return value;
  };

  return { value: resolveNode(schema as SchemaNode, input, ''), origins };
}

/**
 * Every secret string in a configuration (one `parseConfig` returned), so a command that prints
 * what went wrong can make sure none of them is in its output.
 */
export function listSecretValues(schema: TSchema, config: unknown): string[] {
  const found: string[] = [];
  const visit = (node: SchemaNode, value: unknown): void => {
    if (typeof value === 'string') {
      if (acceptsSecret(node)) found.push(value);
    } else if (isPlainObject(value)) {
      const object = node.properties ? node : node.anyOf?.find((member) => covers(member, value));
      for (const [key, child] of Object.entries(value)) {
        const childNode =
          object?.properties && Object.hasOwn(object.properties, key) ? object.properties[key] : undefined;
        if (childNode) visit(childNode, child);
      }
    } else if (Array.isArray(value) && node.items !== undefined) {
      for (const item of value) visit(node.items, item);
    }
  };
  visit(schema as SchemaNode, config);
  return found;
}

function readSecretFile(path: string, fail: (problem: string) => never): string {
  let fd: number;
  try {
    // Non-blocking: a FIFO named by mistake must fail, not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be opened');
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return fail('not a regular file');
    if (stat.size > maxSecretFileBytes) return fail(`larger than ${maxSecretFileBytes} bytes`);
    bytes = readFileSync(fd);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    return fail('cannot be read');
  } finally {
    closeSync(fd);
  }
  const text = bytes.toString('utf8').replace(/\r?\n$/, '');
  if (text === '') return fail('is empty');
  return text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An object with an `env` or `file` key where a string is expected: meant as a reference. */
function isReference(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && (Object.hasOwn(value, 'env') || Object.hasOwn(value, 'file'));
}

function acceptsSecret(node: SchemaNode): boolean {
  return isSecretSchema(node) || (node.anyOf?.some(isSecretSchema) ?? false);
}

/** Whether an object may legitimately stand here (an object, a record, anything). */
function acceptsObject(node: SchemaNode): boolean {
  if (node.anyOf !== undefined) return node.anyOf.some(acceptsObject);
  return node.type === undefined || node.type === 'object';
}

/** Whether an object schema names every key of `value`: the union member `value` is meant for. */
function covers(member: SchemaNode, value: Record<string, unknown>): boolean {
  const properties = member.properties;
  return properties !== undefined && Object.keys(value).every((key) => Object.hasOwn(properties, key));
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
