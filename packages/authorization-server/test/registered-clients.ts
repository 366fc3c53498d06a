import { openMemoryStore } from '@gatehouse/store';
import { Value } from '@sinclair/typebox/value';
import { type ClientMetadata, clientMetadataSchema, type RegisteredClient } from '../src/protocol/client-metadata.js';
import { ClientRegistry } from '../src/stores/client-registry.js';

export const testServerSecrets = ['registered-clients-test-secret-0123456789'];

/** Client metadata as the configuration would give it: the schema's defaults filled in, checked. */
export function clientMetadata(fields: Partial<ClientMetadata> = {}): ClientMetadata {
  const metadata = Value.Default(clientMetadataSchema, {
    client_id: 'app',
    redirect_uris: ['https://app.test/cb'],
    ...fields,
  }) as ClientMetadata;
  if (!Value.Check(clientMetadataSchema, metadata)) {
    throw new TypeError(`not valid client metadata: ${[...Value.Errors(clientMetadataSchema, metadata)][0]?.path}`);
  }
  return metadata;
}

/** A configured client as the registry hands it to the checks (`isPublic`, `scopes` and all). */
export async function registeredClient(fields: Partial<ClientMetadata> = {}): Promise<RegisteredClient> {
  const metadata = clientMetadata(fields);
  const registry = new ClientRegistry([metadata], openMemoryStore({ sweepIntervalMs: 0 }), () => 0, testServerSecrets);
  return (await registry.find(metadata.client_id)) as RegisteredClient;
}
