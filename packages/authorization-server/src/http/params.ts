import { InvalidRequestError } from '../errors.js';

/** Longest value any parameter may have (a `state` or `nonce` of 2 KB fits; 100 KB does not). */
export const maxParameterLength = 8192;
const maxParameters = 64;

/**
 * Request parameters from a query string or a form body, parsed strictly: malformed
 * percent-encoding, invalid UTF-8, NUL, oversized values and repeated parameters are refused with
 * `invalid_request` instead of being guessed at. An empty value (`scope=`) counts as absent.
 */
export class Params {
  readonly #values: Map<string, string>;
  readonly #repeated: Set<string>;

  constructor(values: Map<string, string>, repeated: Set<string>) {
    this.#values = values;
    this.#repeated = repeated;
  }

  /** The value, or undefined when absent or empty. Repeated parameters are an error. */
  get(name: string): string | undefined {
    if (this.#repeated.has(name)) throw new InvalidRequestError(`the ${name} parameter must not be repeated`);
    const value = this.#values.get(name);
    return value === '' ? undefined : value;
  }

  /** Whether the parameter was sent more than once (checked before anything may be redirected). */
  isRepeated(name: string): boolean {
    return this.#repeated.has(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Every single-valued, non-empty parameter, for carrying a request through a login page. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of this.#values) if (!this.#repeated.has(name) && value !== '') out[name] = value;
    return out;
  }

  static fromObject(values: Record<string, string>): Params {
    return new Params(new Map(Object.entries(values)), new Set());
  }
}

/** Parses `a=1&b=2` (query string or `application/x-www-form-urlencoded` body). */
export function parseParams(raw: string): Params {
  const values = new Map<string, string>();
  const repeated = new Set<string>();
  if (raw === '') return new Params(values, repeated);
  const pairs = raw.split('&');
  if (pairs.length > maxParameters) throw new InvalidRequestError('too many parameters');
  for (const pair of pairs) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decode(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decode(pair.slice(equals + 1));
    if (value.length > maxParameterLength)
      throw new InvalidRequestError(`the ${name.slice(0, 40)} parameter is too long`);
    if (values.has(name)) repeated.add(name);
    values.set(name, value);
  }
  return new Params(values, repeated);
}

/** The query string of a request URL, parsed strictly. */
export function queryParams(url: string): Params {
  const question = url.indexOf('?');
  return parseParams(question === -1 ? '' : url.slice(question + 1));
}

function decode(part: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(part.replaceAll('+', ' '));
  } catch {
    throw new InvalidRequestError('a parameter is not valid percent-encoded UTF-8');
  }
  if (decoded.includes('\0')) throw new InvalidRequestError('a parameter contains a NUL character');
  return decoded;
}
