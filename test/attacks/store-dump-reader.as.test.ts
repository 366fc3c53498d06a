import { createHash } from 'node:crypto';
import { loadAuthorizationServerConfig, openAuthorizationServerAdmin } from '@gatehouse/authorization-server';
import type { Store } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  basicAuthorization,
  listenAuthorizationServer,
  postForm,
} from '@gatehouse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The attacker holds a dump of the authorization server's store (a stolen backup, a read-only
 * database account) but not its configuration file. An administrator registered a client with a
 * weak secret — long enough for the rules, but a phrase a dictionary holds. The dump must not let
 * the attacker test a single guess offline: no secret, and no unkeyed hash of one.
 */

// The harness's cookie secret (test/support/gatehouse-as.ts): the admin tool must use the server's keys.
const cookieSecrets = ['test-cookie-secret-0123456789abcdefghij'];
const weakSecret = 'correct horse battery staple correct horse';
const registered = {
  client_id: 'reporting-job',
  client_secret: weakSecret,
  grant_types: ['client_credentials'],
  scope: 'api',
};

let server: AuthorizationServerUnderTest;
afterEach(async () => {
  await server?.close();
});

/** Every unkeyed digest of `secret` a dictionary attack would compute, in the usual spellings. */
function unkeyedDigests(secret: string): string[] {
  return ['sha256', 'sha512', 'sha1', 'md5'].flatMap((algorithm) => {
    const digest = createHash(algorithm).update(secret).digest();
    return [digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')];
  });
}

/** What the dump holds for a client: its stored record, as JSON text. */
async function dumpOf(store: Store, clientId: string): Promise<string> {
  const record = await store.get('clients', clientId);
  expect(record).toBeDefined();
  return JSON.stringify(record);
}

async function registerWithAdminTool(store: Store): Promise<void> {
  const config = loadAuthorizationServerConfig({ issuer: server.issuer, store: 'memory', cookieSecrets });
  const admin = await openAuthorizationServerAdmin(config, { store });
  await admin.addClient(registered);
  await admin.close();
}

function clientCredentials(secret: string): Promise<Response> {
  return postForm(
    server,
    `${server.issuer}/token`,
    { grant_type: 'client_credentials' },
    { authorization: basicAuthorization(registered.client_id, secret) },
  );
}

describe('a store-dump reader', () => {
  it('finds nothing in the dump to test guesses of a weak client secret against', async () => {
    server = await listenAuthorizationServer();
    await registerWithAdminTool(server.store);
    const dump = await dumpOf(server.store, registered.client_id);
    expect(dump).not.toContain(weakSecret);
    for (const digest of unkeyedDigests(weakSecret)) expect(dump).not.toContain(digest);
    // The client itself is not affected.
    expect((await clientCredentials(weakSecret)).status).toBe(200);
    expect((await clientCredentials(`${weakSecret}!`)).status).toBe(401);
  });

  it('finds nothing either once a client registered by an older version has been used: its plain SHA-256 is rewritten keyed', async () => {
    server = await listenAuthorizationServer();
    await registerWithAdminTool(server.store);
    // The record as versions before keyed hashing wrote it: the secret's bare SHA-256.
    const legacy = (await server.store.get('clients', registered.client_id)) as Record<string, unknown>;
    const bareHash = createHash('sha256').update(weakSecret).digest('base64url');
    await server.store.put('clients', registered.client_id, { ...legacy, secretHash: bareHash });

    const response = await clientCredentials(weakSecret);
    expect(response.status).toBe(200);
    const dump = await dumpOf(server.store, registered.client_id);
    for (const digest of unkeyedDigests(weakSecret)) expect(dump).not.toContain(digest);
    expect((await clientCredentials(weakSecret)).status).toBe(200);
  });
});
