import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProviderMetadata } from '../src/discovery.js';
import { LogoutTokenError, verifyLogoutToken } from '../src/logout-token.js';

const issuer = 'https://idp.example.com';
const metadata: ProviderMetadata = {
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
};
const now = Date.parse('2030-01-01T00:00:00Z');
const event = 'http://schemas.openid.net/event/backchannel-logout';

type Key = { alg: string; kid: string; privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'] };
let rs256: Key;
let es256: Key;
let jwks: ReturnType<typeof createLocalJWKSet>;

async function newKey(alg: 'RS256' | 'ES256') {
  const pair = await generateKeyPair(alg);
  return { alg, kid: alg, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), alg, kid: alg } };
}

beforeAll(async () => {
  const [rs, es] = [await newKey('RS256'), await newKey('ES256')];
  [rs256, es256] = [rs, es];
  jwks = createLocalJWKSet({ keys: [rs.jwk, es.jwk] });
});

/** A valid logout token unless `claims` change it (a claim set to undefined is left out). */
function logoutToken(claims: JWTPayload = {}, key: Key = rs256) {
  const iat = Math.floor(now / 1000);
  const payload = Object.fromEntries(
    Object.entries({
      iss: issuer,
      aud: 'bff',
      iat,
      exp: iat + 120,
      jti: 'jti-1',
      sid: 'sid-1',
      events: { [event]: {} },
      ...claims,
    }).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'logout+jwt' })
    .sign(key.privateKey);
}

async function reasonOf(token: Promise<string>, rules: { signingAlgorithm?: 'ES256' } = {}) {
  const error = await verifyLogoutToken(await token, metadata, jwks, { clientId: 'bff', now, ...rules }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LogoutTokenError);
  return (error as LogoutTokenError).reason;
}

describe('logout token verification (Back-Channel Logout 1.0 §2.6)', () => {
  it('accepts a valid token and says what to end', async () => {
    expect(await verifyLogoutToken(await logoutToken(), metadata, jwks, { clientId: 'bff', now })).toEqual({
      jti: 'jti-1',
      sid: 'sid-1',
      sub: undefined,
    });
  });

  it('refuses a token without exp (§2.4 requires it)', async () => {
    expect(await reasonOf(logoutToken({ exp: undefined }))).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('refuses a token signed with another algorithm than the client’s ID tokens', async () => {
    expect(await reasonOf(logoutToken({}, es256))).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(await reasonOf(logoutToken(), { signingAlgorithm: 'ES256' })).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('checks aud as for ID tokens: no audience the client does not trust', async () => {
    expect(await reasonOf(logoutToken({ aud: ['bff', 'other'], azp: 'bff' }))).toBe('untrusted audience');
  });
});
