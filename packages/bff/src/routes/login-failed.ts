import type { FastifyReply } from 'fastify';

/**
 * Ends a sign-in navigation that did not work on the SPA's login-failed route, `?error=<code>`: a
 * page the app explains (never a JSON body in the address bar, never a 500).
 */
export function sendLoginFailed(reply: FastifyReply, loginFailedPath: string, code: string): FastifyReply {
  return reply
    .code(303)
    .header('cache-control', 'no-store')
    .header('location', `${loginFailedPath}?error=${encodeURIComponent(code)}`)
    .send();
}
