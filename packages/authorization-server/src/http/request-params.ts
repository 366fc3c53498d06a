import type { FastifyRequest } from 'fastify';
import { type Params, parseParams, queryParams } from '../primitives/params.js';
import { InvalidRequestError } from '../protocol/errors.js';

/** Whether the request's body is `application/x-www-form-urlencoded` (parameters are allowed). */
export function isFormRequest(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type);
}

/**
 * The parameters of a request: the query string of a GET, the form body of a POST (which must be
 * `application/x-www-form-urlencoded`; RFC 6749 §3.2). Strict, see `parseParams`.
 */
export function requestParams(request: FastifyRequest): Params {
  if (request.method === 'GET' || request.method === 'HEAD') return queryParams(request.url);
  return formParams(request);
}

/** The form body of a POST; anything but a form is `invalid_request`. */
export function formParams(request: FastifyRequest): Params {
  if (!isFormRequest(request)) {
    throw new InvalidRequestError('the request body must be application/x-www-form-urlencoded');
  }
  return parseParams(typeof request.body === 'string' ? request.body : '');
}
