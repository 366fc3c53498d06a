import type { webcrypto } from 'node:crypto';
import {
  apiResource,
  publicClient,
  type RunningAuthorizationServer,
  startAuthorizationServer,
  TestBrowser,
} from '@gatehouse/test-kit';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// oauth4webapi validates every response strictly (RFC 9207 iss, ID token claims, RFC 9068 access
// tokens), so it catches deviations a lenient client would let through.
describe('interop: oauth4webapi against the Gatehouse authorization server', () => {
  let server: RunningAuthorizationServer;
  let as: oauth.AuthorizationServer;
  let signingKey: webcrypto.CryptoKey;
  const options = { [oauth.allowInsecureRequests]: true };
  const keyClient: oauth.Client = { client_id: 'reporting-service' };

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey as webcrypto.CryptoKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'reporting-1', alg: 'ES256', use: 'sig' };
    server = await startAuthorizationServer({
      clients: [
        publicClient,
        {
          client_id: keyClient.client_id,
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [jwk] },
          grant_types: ['client_credentials'],
          scope: 'api reports',
        },
      ],
    });
    const issuer = new URL(server.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
  });
  afterAll(() => server.close());

  it('publishes discovery that names exactly what is supported', () => {
    expect(as.issuer).toBe(server.issuer);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.response_types_supported).toEqual(['code']);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
  });

  it('authenticates with private_key_jwt and issues an RFC 9068 access token that validates', async () => {
    const auth = oauth.PrivateKeyJwt({ key: signingKey, kid: 'reporting-1' });
    const response = await oauth.clientCredentialsGrantRequest(as, keyClient, auth, { scope: 'reports' }, options);
    const tokens = await oauth.processClientCredentialsResponse(as, keyClient, response);
    expect(tokens.scope).toBe('reports');
    const request = new Request(apiResource, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, apiResource, options);
    expect(claims).toMatchObject({ sub: keyClient.client_id, client_id: keyClient.client_id, scope: 'reports' });
  });

  it('runs the public-client code flow with PKCE, validating iss, state, nonce and the ID token', async () => {
    const client: oauth.Client = { client_id: publicClient.client_id };
    const redirectUri = publicClient.redirect_uris[0] as string;
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid profile api',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    }).toString();
    const callback = await new TestBrowser().authorize(url.href, redirectUri);
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      redirectUri,
      verifier,
      options,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    const idClaims = oauth.getValidatedIdTokenClaims(tokens);
    expect(idClaims?.sub).toMatch(/^usr_/);

    const userinfo = await oauth.processUserInfoResponse(
      as,
      client,
      idClaims?.sub as string,
      await oauth.userInfoRequest(as, client, tokens.access_token, options),
    );
    expect(userinfo.name).toBe('Alice');

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token as string, options),
    );
    expect(oauth.getValidatedIdTokenClaims(refreshed)?.sub).toBe(idClaims?.sub);
  });

  it('refuses a replayed private_key_jwt assertion', async () => {
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'reporting-1' })
      .setIssuer(keyClient.client_id)
      .setSubject(keyClient.client_id)
      .setAudience(server.issuer)
      .setJti('once-only')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(signingKey);
    const send = () =>
      fetch(as.token_endpoint as string, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
      });
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: 'invalid_client' });
  });
});
