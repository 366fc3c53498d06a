import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ephemeralNamespaces } from '@gatehouse/authorization-server';
import { openPostgresStore, openRedisStore, openSqliteStore, type Store, splitStore } from '@gatehouse/store';
import {
  apiResource,
  confidentialClient,
  demoUser,
  postgresUrl,
  publicClient,
  type RunningAuthorizationServer,
  redisUrl,
  requireService,
  runScopedName,
  startAuthorizationServer,
  TestBrowser,
} from '@gatehouse/test-kit';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The store set-ups the provider must work on: embedded SQLite (the default) and PostgreSQL + Redis. */
const storeSetups: [string, () => Promise<Store | undefined>][] = [
  ['memory', async () => undefined],
  ['SQLite', async () => openSqliteStore(join(mkdtempSync(join(tmpdir(), 'gatehouse-as-')), 'as.db'))],
  [
    'PostgreSQL + Redis',
    async () => {
      const reachable = (await requireService('PostgreSQL', postgresUrl)) && (await requireService('Redis', redisUrl));
      if (!reachable) return undefined;
      const durable = await openPostgresStore(postgresUrl, { schema: runScopedName('as_') });
      const ephemeral = await openRedisStore(redisUrl, { keyPrefix: `${runScopedName('as')}:` });
      return splitStore({ durable, ephemeral, ephemeralNamespaces });
    },
  ],
];

// openid-client (a certified, strict relying party) drives our provider over real HTTP on loopback,
// on each store set-up.
describe.each(storeSetups)(
  'interop: openid-client against the Gatehouse authorization server on %s',
  (name, openStore) => {
    let server: RunningAuthorizationServer;
    let store: Store | undefined;
    let confidential: client.Configuration;
    let spa: client.Configuration;

    beforeAll(async () => {
      store = await openStore();
      if (name !== 'memory' && !store) return;
      server = await startAuthorizationServer({}, store ? { store } : {});
      const options = { execute: [client.allowInsecureRequests] };
      confidential = await client.discovery(
        new URL(server.issuer),
        confidentialClient.client_id,
        undefined,
        client.ClientSecretBasic(confidentialClient.client_secret),
        options,
      );
      spa = await client.discovery(new URL(server.issuer), publicClient.client_id, undefined, client.None(), options);
    });
    afterAll(async () => {
      await server?.close();
      await store?.close();
    });

    async function signIn(
      configuration: client.Configuration,
      redirectUri: string,
      scope: string,
      browser = new TestBrowser(),
    ) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        scope,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      const callback = await browser.authorize(url.href, redirectUri);
      const tokens = await client.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      return { tokens, callback, browser };
    }

    it('runs code + PKCE for a confidential client: ID token, userinfo, refresh rotation, revocation, introspection', async () => {
      const { tokens, callback } = await signIn(
        confidential,
        confidentialClient.redirect_uris[0] as string,
        'openid profile email offline_access api',
      );
      expect(callback.searchParams.get('iss')).toBe(server.issuer);
      const claims = tokens.claims();
      expect(claims?.sub).toMatch(/^usr_/);
      expect(claims?.email).toBe(demoUser.email);
      expect(claims?.amr).toEqual(['pwd']);
      expect(typeof claims?.sid).toBe('string');
      expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{22,}\.0\.[A-Za-z0-9_-]{43}$/);

      const userinfo = await client.fetchUserInfo(confidential, tokens.access_token, claims?.sub as string);
      expect(userinfo).toMatchObject({
        sub: claims?.sub,
        name: demoUser.name,
        email: demoUser.email,
        email_verified: true,
      });

      const refreshed = await client.refreshTokenGrant(confidential, tokens.refresh_token as string);
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect(refreshed.claims()?.sub).toBe(claims?.sub);
      expect(refreshed.claims()?.auth_time).toBe(claims?.auth_time);

      const active = await client.tokenIntrospection(confidential, refreshed.access_token);
      expect(active).toMatchObject({
        active: true,
        sub: claims?.sub,
        client_id: confidentialClient.client_id,
        aud: apiResource,
      });

      await client.tokenRevocation(confidential, refreshed.refresh_token as string);
      await expect(client.refreshTokenGrant(confidential, refreshed.refresh_token as string)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
      // Revoking the family ends its access tokens too.
      expect(await client.tokenIntrospection(confidential, refreshed.access_token)).toEqual({ active: false });
    });

    it('runs code + PKCE for a public client (no secret, no consent page for a first-party app)', async () => {
      const { tokens } = await signIn(spa, publicClient.redirect_uris[0] as string, 'openid profile api');
      expect(tokens.claims()?.aud).toBe(publicClient.client_id);
      const refreshed = await client.refreshTokenGrant(spa, tokens.refresh_token as string);
      expect(refreshed.access_token).not.toBe(tokens.access_token);
    });

    it('issues client-credentials tokens whose subject is the client', async () => {
      const tokens = await client.clientCredentialsGrant(confidential, { scope: 'api' });
      expect(tokens.scope).toBe('api');
      expect(tokens.refresh_token).toBeUndefined();
      const introspected = await client.tokenIntrospection(confidential, tokens.access_token);
      expect(introspected).toMatchObject({ active: true, sub: confidentialClient.client_id, scope: 'api' });
    });

    it('answers prompt=none silently while signed in, and login_required once signed out', async () => {
      const redirectUri = confidentialClient.redirect_uris[0] as string;
      const { tokens, browser } = await signIn(confidential, redirectUri, 'openid email');
      const state = client.randomState();
      const silent = client.buildAuthorizationUrl(confidential, {
        redirect_uri: redirectUri,
        scope: 'openid email',
        prompt: 'none',
        state,
      });
      const again = await browser.follow(silent.href, redirectUri);
      expect(new URL(again.url).searchParams.get('code')).toBeTruthy();
      expect(new URL(again.url).searchParams.get('state')).toBe(state);

      const logout = client.buildEndSessionUrl(confidential, {
        id_token_hint: tokens.id_token as string,
        post_logout_redirect_uri: confidentialClient.post_logout_redirect_uris[0] as string,
        state: 'bye',
      });
      const loggedOut = await browser.follow(logout.href, 'http://127.0.0.1:9999/signed-out');
      expect(loggedOut.url).toBe('http://127.0.0.1:9999/signed-out?state=bye');

      const after = await browser.follow(silent.href, redirectUri);
      const params = new URL(after.url).searchParams;
      expect(params.get('error')).toBe('login_required');
      expect(params.get('iss')).toBe(server.issuer);
    });
  },
);
