import type { FastifyRequest } from 'fastify';
import { InvalidRequestError } from './errors.js';

/** Request parameters by name; an empty value (`scope=`) counts as absent. */
export type Params = ReadonlyMap<string, string>;

/**
 * Parses `a=1&b=2`, a query string or a form body, strictly: a repeated parameter (RFC 6749 §3.1) or
 * broken percent-encoding is `invalid_request` rather than a guess.
 */
export function parseParams(raw: string): Params {
  const params = new Map<string, string>();
  const seen = new Set<string>();
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeFormComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeFormComponent(pair.slice(equals + 1));
    if (name === undefined || value === undefined)
      throw new InvalidRequestError('a parameter is not valid percent-encoded UTF-8');
    if (seen.has(name)) throw new InvalidRequestError('a parameter is repeated');
    seen.add(name);
    if (value !== '') params.set(name, value);
  }
  return params;
}

/** The parsed query string of a request URL. */
export function queryParams(url: string): Params {
  const question = url.indexOf('?');
  return parseParams(question === -1 ? '' : url.slice(question + 1));
}

/** An `application/x-www-form-urlencoded` body (RFC 6749 §3.2); any other type is `invalid_request`. */
export function formParams(request: FastifyRequest): Params {
  const type = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded')
    throw new InvalidRequestError('the body must be application/x-www-form-urlencoded');
  return parseParams(typeof request.body === 'string' ? request.body : '');
}

/** The value of a parameter the request cannot do without. */
export function requiredParam(params: Params, name: string): string {
  const value = params.get(name);
  if (value === undefined) throw new InvalidRequestError(`the ${name} parameter is required`);
  return value;
}

/** One form-urlencoded component (`+` is a space), or undefined when it is not valid UTF-8 or holds a NUL. */
export function decodeFormComponent(part: string): string | undefined {
  try {
    const decoded = decodeURIComponent(part.replaceAll('+', ' '));
    return decoded.includes('\0') ? undefined : decoded;
  } catch {
    return undefined;
  }
}
