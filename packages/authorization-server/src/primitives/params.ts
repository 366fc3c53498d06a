import { InvalidRequestError } from '../protocol/errors.js';

/** Longest value any parameter may have (a `state` or `nonce` of 2 KB fits; 100 KB does not). */
export const maxParameterLength = 8192;
const maxParameters = 64;

/** Longest client id: registration allows 255 printable characters, so a longer one names no client. */
export const maxClientIdLength = 255;

/**
 * Parameters naming something the server looks up by key (a client, an account), bounded far below
 * `maxParameterLength`: an over-long one is refused here, as a malformed request, instead of
 * reaching the store, whose keys stop at 512 characters. An email address has at most 254 (RFC 5321 §4.5.3.1).
 */
const identifierLengths: ReadonlyMap<string, number> = new Map([
  ['client_id', maxClientIdLength],
  ['audience_client_id', maxClientIdLength],
  ['email', 254],
]);

/**
 * Control characters (C0, DEL, C1): no parameter, client id or email ever carries one, and in a store
 * key, a log line or a header they would be trouble (SECURITY.md §1).
 */
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Whether `value` contains a control character (C0, DEL or C1). */
export function hasControlCharacter(value: string): boolean {
  return controlCharacter.test(value);
}

/** Why a parameter that was sent cannot be read. */
type Unreadable = 'repeated' | 'control-character' | 'too-long';

/**
 * Request parameters from a query string or a form body, parsed strictly: malformed
 * percent-encoding, invalid UTF-8, NUL and oversized values refuse the whole request with
 * `invalid_request`. A parameter that is repeated, carries any other control character (C0, DEL,
 * C1 — in its name or its value) or is an over-long identifier cannot be read: reading it is
 * `invalid_request`, never a guess. An empty value (`scope=`) counts as absent.
 *
 * `state` alone may carry control characters: it is the client's opaque value, never a key or a
 * lookup, only echoed back URL-encoded, byte for byte (RFC 6749 §4.1.2), so a client that sends one
 * gets it back instead of an error page.
 */
export class Params {
  readonly #values: Map<string, string>;
  readonly #unreadable: Map<string, Unreadable>;

  constructor(values: Map<string, string>, unreadable: Map<string, Unreadable>) {
    this.#values = values;
    this.#unreadable = unreadable;
  }

  /** The value, or undefined when absent or empty. A parameter that cannot be read is an error. */
  get(name: string): string | undefined {
    const unreadable = this.#unreadable.get(name);
    if (unreadable !== undefined) throw new InvalidRequestError(describeUnreadable(name, unreadable));
    const value = this.#values.get(name);
    return value === '' ? undefined : value;
  }

  /**
   * Whether the parameter cannot be read: sent more than once, with a control character, or an
   * over-long identifier. Checked before anything may be redirected, so such a value is neither
   * used nor echoed.
   */
  isUnreadable(name: string): boolean {
    return this.#unreadable.has(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Every readable, non-empty parameter, for carrying a request through a login page. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of this.#values) if (!this.#unreadable.has(name) && value !== '') out[name] = value;
    return out;
  }

  static fromObject(values: Record<string, string>): Params {
    return new Params(new Map(Object.entries(values)), new Map());
  }
}

/** Parses `a=1&b=2` (query string or `application/x-www-form-urlencoded` body). */
export function parseParams(raw: string): Params {
  const values = new Map<string, string>();
  const unreadable = new Map<string, Unreadable>();
  if (raw === '') return new Params(values, unreadable);
  const pairs = raw.split('&');
  if (pairs.length > maxParameters) throw new InvalidRequestError('too many parameters');
  for (const pair of pairs) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decode(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decode(pair.slice(equals + 1));
    if (value.length > maxParameterLength) throw new InvalidRequestError(describeUnreadable(name, 'too-long'));
    if (values.has(name)) unreadable.set(name, 'repeated');
    else if (hasControlCharacter(name) || (name !== 'state' && hasControlCharacter(value)))
      unreadable.set(name, 'control-character');
    else if (value.length > (identifierLengths.get(name) ?? maxParameterLength)) unreadable.set(name, 'too-long');
    values.set(name, value);
  }
  return new Params(values, unreadable);
}

/** The refusal's description; it names the parameter only when the name is a plain word. */
function describeUnreadable(name: string, why: Unreadable): string {
  const parameter = /^[A-Za-z0-9_.-]{1,40}$/.test(name) ? `the ${name} parameter` : 'a parameter';
  switch (why) {
    case 'repeated':
      return `${parameter} must not be repeated`;
    case 'control-character':
      return `${parameter} contains a control character`;
    case 'too-long':
      return `${parameter} is too long`;
  }
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
