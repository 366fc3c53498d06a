import { OfflineAccessError } from '@gatehouse/bff';
import type { FastifyInstance } from 'fastify';

/**
 * The demo's "act while the user is away" worker: every `intervalMs` it publishes the scheduled posts
 * whose time has come, each through the API's `/posts` with an access token from the user's offline
 * grant (`bff.offlineGrants.asUser`). A missing or revoked grant marks the post failed, with the reason.
 */
export function startScheduledPostWorker(
  api: FastifyInstance,
  bff: FastifyInstance,
  apiUrl: string,
  intervalMs = 1_000,
): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      for (const post of await api.scheduledPosts.due()) {
        // The API names owners `issuer|subject`; the grant is the subject's at that issuer.
        const subject = post.owner.slice(post.owner.lastIndexOf('|') + 1);
        try {
          const status = await bff.offlineGrants.asUser(subject, ['api'], async (accessToken) => {
            const response = await fetch(`${apiUrl}/posts`, {
              method: 'POST',
              headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
              body: JSON.stringify({ text: post.text }),
            });
            await response.body?.cancel();
            return response.status;
          });
          await api.scheduledPosts.settle(post, status === 201 ? {} : { failure: `api_answered_${status}` });
        } catch (error) {
          const failure = error instanceof OfflineAccessError ? `offline_access_${error.reason}` : 'publish_failed';
          await api.scheduledPosts.settle(post, { failure });
        }
      }
    } catch {
      // The store or the provider is down for a moment: the posts stay queued for the next tick.
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
