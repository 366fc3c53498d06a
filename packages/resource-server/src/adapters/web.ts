import { toErrorResponse } from '../core/error-response.js';
import type { Principal } from '../core/principal.js';
import { isTokenParameter } from '../core/read-bearer-token.js';
import type { ScopeRequirement } from '../core/scopes.js';
import type { RequestVerifier } from '../core/verify-request.js';

/**
 * For runtimes built on the web-standard `Request`/`Response`: the principal, or the `Response` to
 * send back (RFC 6750 status, `WWW-Authenticate`, JSON body).
 *
 * @example
 * const result = await verifyWebRequest(verifier, request, { allOf: ['api'] });
 * if (result instanceof Response) return result;
 */
export async function verifyWebRequest(
  verifier: RequestVerifier,
  request: Request,
  scopes?: ScopeRequirement,
): Promise<Principal | Response> {
  const query = new URL(request.url).searchParams;
  const proof = query.get('appsecret_proof') ?? request.headers.get('appsecret-proof');
  try {
    return await verifier.verify(
      {
        authorization: request.headers.get('authorization') ?? undefined,
        appsecretProof: proof ?? undefined,
        hasQueryToken: isTokenParameter(query.getAll('access_token')),
      },
      scopes,
    );
  } catch (error) {
    const answer = toErrorResponse(error, verifier.realm);
    if (answer.status === 500) throw error;
    return Response.json(answer.body, {
      status: answer.status,
      headers: { ...answer.headers, 'cache-control': 'no-store' },
    });
  }
}
