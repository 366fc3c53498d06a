import type { FastifyBaseLogger } from 'fastify';
import type { GrantStore } from '../../stores/grant-store.js';
import type { LoadedSession, ProviderSessions } from '../../stores/provider-sessions.js';
import type { BackchannelLogout } from './backchannel-logout.js';

/** What ending a provider session uses. */
export interface SessionEnder {
  sessions: Pick<ProviderSessions, 'end'>;
  grants: Pick<GrantStore, 'revokeSessionGrants'>;
  backchannel: Pick<BackchannelLogout, 'notify'>;
  log: Pick<FastifyBaseLogger, 'info'>;
}

/**
 * Ends a provider session: deletes it, revokes the grants tied to it (those without
 * `offline_access`), and notifies its clients over the back channel.
 */
export async function endProviderSession(deps: SessionEnder, loaded: LoadedSession): Promise<void> {
  await deps.sessions.end(loaded.id);
  await deps.grants.revokeSessionGrants(loaded.session.sid);
  deps.backchannel.notify(loaded.session.clients, loaded.session.sub, loaded.session.sid);
  deps.log.info({ sub: loaded.session.sub }, 'signed out');
}
