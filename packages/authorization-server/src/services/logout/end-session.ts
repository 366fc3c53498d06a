import type { GrantStore } from '../../stores/grant-store.js';
import type { LoadedSession, ProviderSessions } from '../../stores/provider-sessions.js';
import type { AsSecurityEvents, SignOutCause } from '../../telemetry/security-events.js';
import type { BackchannelLogout } from './backchannel-logout.js';

/** What ending a provider session uses. */
export interface SessionEnder {
  sessions: Pick<ProviderSessions, 'end'>;
  grants: Pick<GrantStore, 'revokeSessionGrants'>;
  backchannel: Pick<BackchannelLogout, 'notify'>;
  events: AsSecurityEvents;
}

/**
 * Ends a provider session: deletes it, revokes the grants tied to it (those without
 * `offline_access`), and notifies its clients over the back channel.
 */
export async function endProviderSession(
  deps: SessionEnder,
  loaded: LoadedSession,
  cause: SignOutCause = 'logout',
): Promise<void> {
  await deps.sessions.end(loaded.id);
  await deps.grants.revokeSessionGrants(loaded.session.sid);
  deps.backchannel.notify(loaded.session.clients, loaded.session.sub, loaded.session.sid);
  deps.events.emit('signed_out', { sub: loaded.session.sub, cause, clients: new Set(loaded.session.clients).size });
}
