import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/** A key the provider publishes in its JWKS. */
interface PublishedKey {
  kid: string;
  alg: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  jwk: JWK;
}

/** What the next ID token of an approved authorization should look like (merged over a valid one). */
export interface IdTokenScript {
  claims?: JWTPayload;
  /** Which published key signs it: `idToken` (RS256, the default) or `accessToken` (ES256). */
  signWith?: 'idToken' | 'accessToken';
}

/**
 * A small but real OpenID provider on loopback whose tokens the test writes: discovery, a JWKS with
 * two keys as a real authorization server has them (RS256 for ID tokens — OpenID's default — and
 * ES256, as Gatehouse uses for access tokens), a token endpoint that authenticates the client
 * (`client_secret_basic`), checks the code's redirect URI and PKCE S256 verifier, and answers with an
 * ID token scripted by {@link approve}, and revocation (counted). There are no pages: `approve` plays
 * the user who signs in and consents. For attacks that need tokens a well-behaved provider would not
 * mint, signed with keys the BFF really fetches.
 */
export async function startScriptedProvider(client: { clientId: string; clientSecret: string }) {
  const idTokenKey = await newKey('id-token-key', 'RS256');
  const accessTokenKey = await newKey('access-token-key', 'ES256');
  const codes = new Map<string, { redirectUri: string; challenge: string; nonce: string; script: IdTokenScript }>();
  const revoked: string[] = [];

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        revocation_endpoint: `${issuer}/revoke`,
        end_session_endpoint: `${issuer}/session/end`,
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [idTokenKey.jwk, accessTokenKey.jwk] });
    if (request.method !== 'POST') return json(404, { error: 'not_found' });
    const form = new URLSearchParams(await readBody(request));
    if (!isClient(request.headers.authorization)) return json(401, { error: 'invalid_client' });
    if (url.pathname === '/revoke') {
      revoked.push(form.get('token') ?? '');
      return json(200, {});
    }
    if (url.pathname !== '/token' || form.get('grant_type') !== 'authorization_code') {
      return json(400, { error: 'unsupported_grant_type' });
    }
    const code = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    const verifier = form.get('code_verifier') ?? '';
    if (
      !code ||
      code.redirectUri !== form.get('redirect_uri') ||
      createHash('sha256').update(verifier).digest('base64url') !== code.challenge
    ) {
      return json(400, { error: 'invalid_grant' });
    }
    const now = Math.floor(Date.now() / 1000);
    const idToken = await sign(
      { iss: issuer, sub: 'alice', aud: client.clientId, iat: now, exp: now + 300, nonce: code.nonce, sid: 'sid-1' },
      code.script,
    );
    return json(200, {
      access_token: randomBytes(32).toString('base64url'),
      token_type: 'Bearer',
      expires_in: 300,
      refresh_token: randomBytes(32).toString('base64url'),
      scope: 'openid',
      id_token: idToken,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** `client_secret_basic`: id and secret form-urlencoded, then base64 (RFC 6749 §2.3.1). */
  function isClient(authorization: string | undefined): boolean {
    const decoded = Buffer.from((authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    const [id, secret] = decoded.split(':').map((part) => decodeURIComponent(part.replaceAll('+', ' ')));
    return id === client.clientId && secret === client.clientSecret;
  }

  async function sign(base: JWTPayload, script: IdTokenScript, typ = 'JWT'): Promise<string> {
    const key = script.signWith === 'accessToken' ? accessTokenKey : idTokenKey;
    const payload = Object.fromEntries(
      Object.entries({ ...base, ...script.claims }).filter(([, value]) => value !== undefined),
    );
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ }).sign(key.privateKey);
  }

  return {
    issuer,
    /** Refresh tokens the client revoked, in order. */
    revoked,
    /**
     * The user signs in and consents to the authorization request at `authorizationUrl`: returns
     * the callback URL (`code`, `state`, `iss`) and keeps `script` for the code's ID token.
     */
    approve(authorizationUrl: string, script: IdTokenScript = {}): URL {
      const asked = new URL(authorizationUrl).searchParams;
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        redirectUri: asked.get('redirect_uri') ?? '',
        challenge: asked.get('code_challenge') ?? '',
        nonce: asked.get('nonce') ?? '',
        script,
      });
      const callback = new URL(asked.get('redirect_uri') ?? '');
      callback.searchParams.set('code', code);
      callback.searchParams.set('state', asked.get('state') ?? '');
      callback.searchParams.set('iss', issuer);
      return callback;
    },
    /**
     * A back-channel `logout_token` for the client: valid (OpenID Back-Channel Logout 1.0 §2.4,
     * `exp` two minutes on) unless `script` changes it; a claim set to `undefined` is left out.
     */
    logoutToken(script: IdTokenScript = {}): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      return sign(
        {
          iss: issuer,
          aud: client.clientId,
          iat: now,
          exp: now + 120,
          jti: randomBytes(16).toString('base64url'),
          sid: 'sid-1',
          events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
        },
        script,
        'logout+jwt',
      );
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function newKey(kid: string, alg: 'RS256' | 'ES256'): Promise<PublishedKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}
