import type { FastifyRequest } from 'fastify';
import { isFormRequest } from '../../http/request-params.js';
import { parseParams } from '../../primitives/params.js';

/** Longest authorization URL a bounce may produce; a longer POST is answered as it came. */
const maxBounceUrlLength = 8192;

/**
 * For a POST to `/authorize` that the browser says came from another site, the same request as a GET
 * URL to answer it with (303), else undefined. Such a POST carries none of the provider's SameSite=Lax
 * cookies — not the provider session, not the interaction binding — so answering it directly would
 * ask a signed-in user to sign in again and, worse, bind a new interaction cookie that replaces the one
 * of a sign-in in progress (any page could break anyone's pending sign-in). The GET it bounces to is a
 * top-level navigation, which carries them. Malformed bodies are not bounced: the endpoint refuses them.
 */
export function crossSitePostAsGet(request: FastifyRequest, authorizePath: string): string | undefined {
  if (request.method !== 'POST' || request.headers['sec-fetch-site'] !== 'cross-site') return undefined;
  if (!isFormRequest(request) || typeof request.body !== 'string') return undefined;
  try {
    parseParams(request.body);
  } catch {
    return undefined;
  }
  // Re-encoded pair by pair (repeats kept, so the GET is refused exactly as the POST would be).
  const url = `${authorizePath}?${new URLSearchParams(request.body)}`;
  return url.length <= maxBounceUrlLength ? url : undefined;
}
