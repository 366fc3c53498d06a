import type { ClientMetadata } from '../protocol/client-metadata.js';

/**
 * The APIs (RFC 8707 resources) a client may ask tokens for: the provider's default API (the first
 * configured resource) and those of the provider's resources the client lists — so one client's
 * registration never opens another API to it (SECURITY.md §3).
 */
export function allowedResources(client: Pick<ClientMetadata, 'resources'>, resources: readonly string[]): string[] {
  return resources.filter((resource, index) => index === 0 || client.resources.includes(resource));
}
