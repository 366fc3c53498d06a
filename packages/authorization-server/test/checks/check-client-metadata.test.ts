import {
  ClientMetadataError,
  loadAuthorizationServerConfig,
  openAuthorizationServerAdmin,
} from '@gatehouse/authorization-server';
import { ConfigError } from '@gatehouse/config';
import { openMemoryStore } from '@gatehouse/store';
import { describe, expect, it } from 'vitest';

// SECURITY.md §1 and §2: what may never be registered, in the configuration file or through the
// admin API, each refusal naming the field.

const base = {
  issuer: 'https://as.example.com',
  store: 'memory',
  cookieSecrets: ['test-cookie-secret-0123456789abcdefghij'],
};
const client = {
  client_id: 'app',
  client_secret: 'app-secret-0123456789abcdefghijklmnopq',
  redirect_uris: ['https://app.example.com/callback'],
};

/** The field a configuration is refused for, or undefined when it is accepted. */
function refusedField(input: Record<string, unknown>): string | undefined {
  try {
    loadAuthorizationServerConfig({ ...base, ...input });
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.field;
  }
}

const badRedirects = [
  ['a relative URI', '/callback'],
  ['a URI with a fragment', 'https://app.example.com/callback#x'],
  ['a URI with an empty fragment', 'https://app.example.com/callback#'],
  ['a wildcard', 'https://*.example.com/callback'],
  ['a wildcard in the path', 'https://app.example.com/*'],
  ['plain http on a public host', 'http://app.example.com/callback'],
  ['plain http on a host named like loopback', 'http://localhost.attacker.example/callback'],
  ['a javascript: URI', 'javascript:alert(1)'],
  ['a data: URI', 'data:text/html,hi'],
  ['userinfo', 'https://user:pass@app.example.com/callback'],
] as const;

describe('client registration', () => {
  it.each(badRedirects)('refuses %s as redirect URI in the configuration, naming the field', (_label, uri) => {
    expect(refusedField({ clients: [{ ...client, redirect_uris: [uri] }] })).toBe('clients.0.redirect_uris.0');
  });

  it.each(badRedirects)('refuses %s as post-logout redirect URI in the configuration', (_label, uri) => {
    expect(refusedField({ clients: [{ ...client, post_logout_redirect_uris: [uri] }] })).toMatch(
      /^clients\.0\.post_logout_redirect_uris/,
    );
  });

  it('accepts https and loopback http redirect URIs (so the refusals above are about the URI)', () => {
    const redirectUris = ['https://app.example.com/callback', 'http://127.0.0.1:8080/cb', 'http://localhost/cb'];
    expect(refusedField({ clients: [{ ...client, redirect_uris: redirectUris }] })).toBeUndefined();
  });

  it('refuses a client id that could be taken for a user subject', () => {
    expect(refusedField({ clients: [{ ...client, client_id: 'usr_abc' }] })).toBe('clients.0.client_id');
  });

  it('refuses a client secret shorter than 32 characters or outside printable ASCII', () => {
    expect(refusedField({ clients: [{ ...client, client_secret: 'short' }] })).toMatch(/^clients\.0\.client_secret/);
    expect(refusedField({ clients: [{ ...client, client_secret: `${'a'.repeat(32)}\n` }] })).toMatch(
      /^clients\.0\.client_secret/,
    );
  });

  it('refuses a plain http issuer outside loopback, naming the field', () => {
    expect(refusedField({ issuer: 'http://as.example.com' })).toBe('issuer');
  });

  it('refuses a public client with client_credentials', () => {
    const spa = { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example.com/cb'] };
    expect(refusedField({ clients: [{ ...spa, grant_types: ['authorization_code', 'client_credentials'] }] })).toBe(
      'clients.0.grant_types',
    );
  });

  it.each(badRedirects)('refuses %s through the admin API, naming the field', async (_label, uri) => {
    const store = openMemoryStore({ sweepIntervalMs: 0 });
    const admin = await openAuthorizationServerAdmin(loadAuthorizationServerConfig(base), { store });
    try {
      const refusal = await admin.addClient({ ...client, redirect_uris: [uri] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(ClientMetadataError);
      expect((refusal as ClientMetadataError).field).toMatch(/^redirect_uris/);
    } finally {
      await admin.close();
      await store.close();
    }
  });
});
