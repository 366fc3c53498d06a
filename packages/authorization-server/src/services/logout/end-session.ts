import type { AsContext } from '../../context.js';
import type { LoadedSession } from '../../stores/provider-sessions.js';

/**
 * Ends a provider session: deletes it, revokes the grants tied to it (those without
 * `offline_access`), and notifies its clients over the back channel.
 */
export async function endProviderSession(context: AsContext, loaded: LoadedSession): Promise<void> {
  await context.sessions.end(loaded.id);
  await context.grants.revokeSessionGrants(loaded.session.sid);
  context.backchannel.notify(loaded.session.clients, loaded.session.sub, loaded.session.sid);
  context.log.info({ sub: loaded.session.sub }, 'signed out');
}
