import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BffContext } from '../context.js';
import { readSessionId, serializeClearedSessionCookie } from '../session/session-cookie.js';
import type { LoadedSession } from '../session/session-store.js';

/**
 * The request's live session, or `undefined`. A cookie that names no live session (unknown,
 * tampered, expired) is cleared on the reply so the browser stops sending it.
 */
export async function readCurrentSession(
  context: BffContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<(LoadedSession & { sessionId: string }) | undefined> {
  const cookieHeader = request.headers.cookie;
  const sessionId = readSessionId(cookieHeader);
  const loaded = sessionId ? await context.sessions.loadRecent(sessionId, context.now()) : undefined;
  if (!loaded || !sessionId) {
    if (cookieHeader?.includes('__Host-gh-session=')) reply.header('set-cookie', serializeClearedSessionCookie());
    return undefined;
  }
  return { ...loaded, sessionId };
}
