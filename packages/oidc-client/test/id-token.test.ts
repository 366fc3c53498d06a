import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProviderMetadata } from '../src/discovery.js';
import { createIdTokenVerifier, IdTokenError } from '../src/id-token.js';

const issuer = 'https://idp.example.com';
const metadata: ProviderMetadata = {
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
};
const now = Date.parse('2030-01-01T00:00:00Z');
const expected = { clientId: 'bff', nonce: 'n'.repeat(43), now };

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

function idToken(claims: JWTPayload = {}, key: Key = rs256) {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ iss: issuer, aud: 'bff', sub: 'alice', iat, exp: iat + 300, nonce: expected.nonce, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .sign(key.privateKey);
}

async function reasonOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IdTokenError);
  return (error as IdTokenError).reason;
}

describe('ID token verifier', () => {
  it('accepts a token for the client signed with RS256 by default', async () => {
    const verify = createIdTokenVerifier(metadata, jwks);
    expect((await verify(await idToken(), expected)).sub).toBe('alice');
  });

  it('refuses a token signed with a published key of another algorithm than the registered one', async () => {
    expect(await reasonOf(createIdTokenVerifier(metadata, jwks)(await idToken({}, es256), expected))).toBe(
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
    const es256Client = createIdTokenVerifier(metadata, jwks, { signingAlgorithm: 'ES256' });
    expect((await es256Client(await idToken({}, es256), expected)).sub).toBe('alice');
    expect(await reasonOf(es256Client(await idToken(), expected))).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('refuses an extra audience unless it is trusted, and an azp naming another client', async () => {
    const verify = createIdTokenVerifier(metadata, jwks);
    expect(await reasonOf(verify(await idToken({ aud: ['bff', 'other'], azp: 'bff' }), expected))).toBe(
      'untrusted audience',
    );
    expect(await reasonOf(verify(await idToken({ azp: 'other' }), expected))).toBe('azp mismatch');
    const trusting = createIdTokenVerifier(metadata, jwks, { trustedAudiences: ['other'] });
    expect((await trusting(await idToken({ aud: ['bff', 'other'], azp: 'bff' }), expected)).sub).toBe('alice');
    expect(await reasonOf(trusting(await idToken({ aud: ['bff', 'other'] }), expected))).toBe('azp mismatch');
  });

  it('refuses to be built for HMAC or none', () => {
    expect(() => createIdTokenVerifier(metadata, jwks, { signingAlgorithm: 'HS256' as 'RS256' })).toThrow(TypeError);
    expect(() => createIdTokenVerifier(metadata, jwks, { signingAlgorithm: 'none' as 'RS256' })).toThrow(TypeError);
  });
});
