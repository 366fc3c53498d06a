import type { NextFunction, Request, Response } from 'express';
import type { createCorsPolicy } from '../core/cors.js';
import { toErrorResponse } from '../core/error-response.js';
import type { Principal } from '../core/principal.js';
import { isTokenParameter } from '../core/read-bearer-token.js';
import type { ScopeRequirement } from '../core/scopes.js';
import type { RequestVerifier } from '../core/verify-request.js';

/**
 * Express middleware: verifies the bearer token (and scopes) and sets `res.locals.principal`, or
 * answers with the RFC 6750 error. Conversion only: the rules live in the core.
 *
 * @example app.get('/todos', expressRequireToken(verifier, { allOf: ['api'] }), handler)
 */
export function expressRequireToken(verifier: RequestVerifier, scopes?: ScopeRequirement) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const proof =
      typeof request.query.appsecret_proof === 'string'
        ? request.query.appsecret_proof
        : request.get('appsecret-proof');
    const input = {
      authorization: request.headers.authorization,
      appsecretProof: proof,
      hasQueryToken: isTokenParameter(request.query.access_token),
    };
    verifier.verify(input, scopes).then(
      (principal: Principal) => {
        response.locals.principal = principal;
        next();
      },
      (error: unknown) => {
        const answer = toErrorResponse(error, verifier.realm);
        if (answer.status === 500) return next(error);
        response.status(answer.status).set(answer.headers).set('cache-control', 'no-store').json(answer.body);
      },
    );
  };
}

/**
 * Express middleware applying a CORS policy from `createCorsPolicy`: adds the headers, and answers
 * preflights itself (204 or 403) before any token check.
 */
export function expressCors(policy: ReturnType<typeof createCorsPolicy>) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const decision = policy({
      method: request.method,
      origin: request.get('origin'),
      requestMethod: request.get('access-control-request-method'),
      requestHeaders: request.get('access-control-request-headers'),
    });
    response.set(decision.headers);
    if (decision.kind === 'preflight') {
      response.status(decision.status).end();
      return;
    }
    next();
  };
}
