import { StoreInputError } from './errors.js';

const namespacePattern = /^[a-z][a-z0-9_-]{0,63}$/;
// C0 controls, DEL and C1 controls: never part of a key, and they would corrupt logs and key formats.
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const maxNameLength = 512;
/** Ten years: longer is a bug (a unit mistake), not a lifetime. */
const maxTtlSeconds = 10 * 365 * 24 * 3600;

export function checkNamespace(namespace: unknown): string {
  if (typeof namespace !== 'string' || !namespacePattern.test(namespace)) {
    throw new StoreInputError('namespace must be 1-64 characters of a-z, 0-9, "_" or "-", starting with a letter');
  }
  return namespace;
}

/** Checks an id, index key, lock name or counter name; `what` names it in the error. */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > maxNameLength) {
    throw new StoreInputError(`${what} must be a string of 1-${maxNameLength} characters`);
  }
  if (controlCharacter.test(name)) {
    throw new StoreInputError(`${what} must not contain control characters`);
  }
  if (loneSurrogate.test(name)) {
    throw new StoreInputError(`${what} must be well-formed Unicode`);
  }
  return name;
}

/** Seconds (fractions allowed, millisecond precision) → whole milliseconds, at least 1. */
export function checkSeconds(seconds: unknown, what: string): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > maxTtlSeconds) {
    throw new StoreInputError(`${what} must be a number of seconds greater than 0 and at most ${maxTtlSeconds}`);
  }
  return Math.max(1, Math.round(seconds * 1000));
}

export function checkIndexes(indexes: unknown): string[] {
  if (indexes === undefined) return [];
  if (!Array.isArray(indexes)) throw new StoreInputError('indexes must be an array of strings');
  if (indexes.length > 32) throw new StoreInputError('an entry carries at most 32 index keys');
  return [...new Set(indexes.map((index) => checkName(index, 'index key')))];
}

/** JSON-encodes a value and bounds its size in UTF-8 bytes. */
export function encodeValue(value: unknown, maxValueBytes: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new StoreInputError('value cannot be encoded as JSON', { cause: error });
  }
  if (text === undefined) throw new StoreInputError('value must be a JSON value (not undefined or a function)');
  // Fast path: a string's UTF-8 length is at most 3 bytes per UTF-16 unit.
  if (text.length * 3 > maxValueBytes && Buffer.byteLength(text, 'utf8') > maxValueBytes) {
    throw new StoreInputError(`value is larger than ${maxValueBytes} bytes`);
  }
  return text;
}
