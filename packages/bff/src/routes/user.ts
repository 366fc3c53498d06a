import type { FastifyInstance } from 'fastify';
import type { BffContext } from '../context.js';
import { calledByScript } from '../request-guard/route-guard.js';
import { sendApiError } from './api-error.js';
import { readCurrentSession } from './current-session.js';

/**
 * `GET /bff/user`: the signed-in user's claims, granted scopes and session times, never a token; 401 JSON when not
 * signed in. Each call slides the idle limit, except with `?slide=false` (for polling).
 */
export function registerUser(app: FastifyInstance, context: BffContext): void {
  const { config } = context;
  app.get(`${config.prefix}/user`, { config: { guard: calledByScript } }, async (request, reply) => {
    const current = await readCurrentSession(context, request, reply);
    if (!current) return sendApiError(reply, 401, 'no_session');
    let { session } = current;
    const now = context.now();
    if ((request.query as Record<string, unknown>).slide !== 'false') {
      const slid = { ...session, lastSeenAt: now };
      // A lost compare-and-set means another request just wrote the session: it slid it too.
      if ((await context.sessions.update(current.sessionId, current.version, slid, now)) !== undefined) session = slid;
    }
    const idleExpiresAt = session.lastSeenAt + config.sessionIdleTimeoutSeconds * 1000;
    return reply.header('cache-control', 'no-store').send({
      claims: { iss: session.issuer, sub: session.subject, ...session.claims },
      // What the provider granted (not what was asked for): the SPA's cue for incremental consent.
      scopes: session.tokens.scope.split(' ').filter(Boolean),
      session: {
        issuedAt: session.createdAt,
        expiresAt: Math.min(idleExpiresAt, session.absoluteExpiresAt),
        absoluteExpiresAt: session.absoluteExpiresAt,
      },
    });
  });
}
