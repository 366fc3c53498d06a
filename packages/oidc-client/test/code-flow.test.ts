import { loginAtProvider, type ProviderPeer, startProviderPeer } from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthorizationUrl } from '../src/authorization-request.js';
import { parseCallback } from '../src/callback.js';
import { discoverProvider, type ProviderMetadata } from '../src/discovery.js';
import { DiscoveryError, TokenEndpointError } from '../src/errors.js';
import { createPkcePair } from '../src/pkce.js';
import { requestTokens } from '../src/token-request.js';

// Against oidc-provider, an independent certified implementation: discovery, PKCE, the
// authorization request, the callback, code redemption with client_secret_basic, refresh.
describe('OpenID client against oidc-provider', () => {
  let peer: ProviderPeer;
  let metadata: ProviderMetadata;
  const redirectUri = 'http://127.0.0.1:3999/bff/callback';

  beforeAll(async () => {
    peer = await startProviderPeer({ redirectUri });
    metadata = await discoverProvider(peer.issuer);
  });
  afterAll(() => peer.stop());

  async function authorize(state: string) {
    const pkce = createPkcePair();
    const url = buildAuthorizationUrl(metadata, {
      clientId: peer.client.clientId,
      redirectUri,
      scopes: ['openid', 'profile', 'offline_access'],
      state,
      nonce: 'n'.repeat(43),
      codeChallenge: pkce.challenge,
      prompt: 'consent',
    });
    const callback = await loginAtProvider(url, 'alice');
    return { callback, pkce };
  }

  it('discovers the provider and refuses a mismatched issuer', async () => {
    expect(metadata.token_endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    await expect(discoverProvider(`${peer.issuer}/`)).rejects.toBeInstanceOf(DiscoveryError);
  });

  it('logs in with code + PKCE S256 and redeems the code once, with a secret full of reserved characters', async () => {
    const { callback, pkce } = await authorize('s'.repeat(43));
    expect(`${callback.origin}${callback.pathname}`).toBe(redirectUri);
    const result = parseCallback(callback.searchParams, {
      issuer: metadata.issuer,
      issuerParameterRequired: metadata.authorization_response_iss_parameter_supported === true,
    });
    expect(result.kind).toBe('code');
    if (result.kind !== 'code') return;
    expect(result.state).toBe('s'.repeat(43));
    const grant = {
      grant_type: 'authorization_code',
      code: result.code,
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
    };
    const tokens = await requestTokens(metadata, peer.client, grant);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.id_token?.split('.')).toHaveLength(3);
    expect(tokens.refresh_token).toBeTypeOf('string');

    const refreshed = await requestTokens(metadata, peer.client, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token as string,
    });
    expect(refreshed.access_token).not.toBe(tokens.access_token);

    // Single use: the same code again is invalid_grant, and the provider revokes what it issued.
    const replay = await requestTokens(metadata, peer.client, grant).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(TokenEndpointError);
    expect((replay as TokenEndpointError).oauthError).toBe('invalid_grant');
    const afterReplay = await requestTokens(metadata, peer.client, {
      grant_type: 'refresh_token',
      refresh_token: (refreshed.refresh_token ?? tokens.refresh_token) as string,
    }).catch((e: unknown) => e);
    expect((afterReplay as TokenEndpointError).oauthError).toBe('invalid_grant');
  });

  it('is refused a code redeemed without the PKCE verifier', async () => {
    const { callback } = await authorize('t'.repeat(43));
    const code = callback.searchParams.get('code') as string;
    const error = await requestTokens(metadata, peer.client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: createPkcePair().verifier,
    }).catch((e: unknown) => e);
    expect((error as TokenEndpointError).oauthError).toBe('invalid_grant');
  });

  it('reports a wrong client secret as invalid_client', async () => {
    const error = await requestTokens(
      metadata,
      { ...peer.client, clientSecret: 'wrong-secret-0123456789' },
      {
        grant_type: 'refresh_token',
        refresh_token: 'x',
      },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ oauthError: 'invalid_client', status: 401 });
  });
});
