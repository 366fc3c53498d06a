import type { Consents } from '../../stores/consents.js';
import type { GrantStore } from '../../stores/grant-store.js';
import type { AsSecurityEvents } from '../../telemetry/security-events.js';

/** What revoking a client's access uses. */
export interface ClientAccessRevoker {
  consents: Pick<Consents, 'revoke'>;
  grants: Pick<GrantStore, 'revokeClientGrants'>;
  events: AsSecurityEvents;
}

/**
 * Withdraws what the user gave a client: the stored consent (the next sign-in asks again) and every
 * grant, so its refresh and access tokens stop working now.
 */
export async function revokeClientAccess(deps: ClientAccessRevoker, sub: string, clientId: string): Promise<void> {
  const hadConsent = await deps.consents.revoke(sub, clientId);
  await deps.grants.revokeClientGrants(clientId, sub);
  // Only a consent that was there: the form's client_id is the browser's to choose.
  if (hadConsent) deps.events.emit('consent_revoked', { sub, client_id: clientId });
}
