import { createHmac } from 'node:crypto';
import { startTestIssuer } from '@gatehouse/test-kit';
import { exportJWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeAppSecretProof } from '../../src/core/appsecret-proof.js';
import { BearerError, ProviderUnavailableError } from '../../src/core/bearer-error.js';
import { createRequestVerifier } from '../../src/core/verify-request.js';

let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
let now = Date.now();

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.stop());
beforeEach(() => {
  now = Date.now();
  issuer.state.down = false;
});

const verifier = (extra: Record<string, unknown> = {}) =>
  createRequestVerifier({ issuer: issuer.issuer, audience: 'https://api.test', now: () => now, ...extra });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof BearerError)) throw new Error(`expected a BearerError, got ${String(error)}`);
  return { code: error.code, status: error.status, scope: error.scope };
}

describe('JWT access tokens (RFC 9068)', () => {
  it('accepts a valid token and describes its principal', async () => {
    const principal = await verifier().verify(bearer(await issuer.mint()), { allOf: ['api'] });
    expect(principal).toMatchObject({ kind: 'user', subject: 'alice', clientId: 'spa', issuer: issuer.issuer });
    expect([...principal.scopes]).toEqual(['api', 'read']);
  });

  it('never treats a client-credentials token as a user', async () => {
    const principal = await verifier().verify(bearer(await issuer.mint({ sub: 'spa' })));
    expect(principal.kind).toBe('client');
  });

  it.each([
    ['expired', async () => issuer.mint({}, { nowSeconds: Math.floor(now / 1000) - 3600 })],
    ['not yet valid', async () => issuer.mint({ nbf: Math.floor(now / 1000) + 600 })],
    [
      'issued in the future beyond the tolerance',
      async () => issuer.mint({}, { nowSeconds: Math.floor(now / 1000) + 31 }),
    ],
    ['for another issuer', async () => issuer.mint({ iss: 'https://evil.test' })],
    ['for another API', async () => issuer.mint({ aud: 'https://other.test' })],
    ['an ID token (typ JWT)', async () => issuer.mint({}, { header: { typ: 'JWT' } })],
    ['untyped', async () => issuer.mint({}, { header: { typ: undefined } })],
    [
      'with an unknown critical header',
      async () =>
        issuer.signRaw(
          { alg: 'ES256', typ: 'at+jwt', kid: 'key-1', crit: ['exotic'], exotic: 1 },
          {
            iss: issuer.issuer,
            aud: 'https://api.test',
            sub: 'alice',
            iat: Math.floor(now / 1000),
            exp: Math.floor(now / 1000) + 60,
          },
        ),
    ],
    [
      'whose signature is valid but whose header names a jku elsewhere',
      async () =>
        issuer.signRaw(
          { alg: 'ES256', typ: 'at+jwt', kid: 'not-published', jku: 'https://evil.test/jwks' },
          {
            iss: issuer.issuer,
            aud: 'https://api.test',
            sub: 'alice',
            iat: Math.floor(now / 1000),
            exp: Math.floor(now / 1000) + 60,
          },
        ),
    ],
    ['without sub', async () => issuer.mint({ sub: '' })],
  ])('refuses a token %s with 401 invalid_token', async (_, token) => {
    expect(await refusal(verifier().verify(bearer(await token())))).toMatchObject({
      code: 'invalid_token',
      status: 401,
    });
  });

  it('accepts an iat ahead of its clock by no more than clockToleranceSeconds', async () => {
    const ahead = (seconds: number) => issuer.mint({}, { nowSeconds: Math.floor(now / 1000) + seconds });
    await expect(verifier().verify(bearer(await ahead(29)))).resolves.toBeDefined();
    expect(await refusal(verifier({ clockToleranceSeconds: 5 }).verify(bearer(await ahead(10))))).toMatchObject({
      code: 'invalid_token',
      status: 401,
    });
  });

  it('accepts untyped tokens only when told to, and never an ID token even then', async () => {
    const lenient = verifier({ types: ['at+jwt', 'JWT'] });
    await expect(lenient.verify(bearer(await issuer.mint({}, { header: { typ: 'JWT' } })))).resolves.toBeDefined();
    for (const claim of ['nonce', 'at_hash', 'c_hash']) {
      const idToken = await issuer.mint({ [claim]: 'x' }, { header: { typ: 'JWT' } });
      expect(await refusal(lenient.verify(bearer(idToken)))).toMatchObject({ code: 'invalid_token', status: 401 });
    }
  });

  it('refuses none or HMAC in the algorithm list when created', () => {
    for (const algorithms of [['ES256', 'none'], ['HS256'], ['RS256', 'hs512']]) {
      expect(() => verifier({ algorithms })).toThrow(TypeError);
    }
  });

  it('refuses alg none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ iss: issuer.issuer, aud: 'https://api.test', sub: 'alice', exp: 9e9, iat: 1 }),
    ).toString('base64url');
    expect(await refusal(verifier().verify(bearer(`${header}.${payload}.`)))).toMatchObject({ code: 'invalid_token' });
  });

  it('refuses HMAC signed with the public key (algorithm confusion)', async () => {
    const publicJwk = await exportJWK(issuer.state.signing.publicKey);
    const secret = JSON.stringify(publicJwk);
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: 'key-1' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({
        iss: issuer.issuer,
        aud: 'https://api.test',
        sub: 'alice',
        exp: Math.floor(now / 1000) + 60,
        iat: Math.floor(now / 1000),
      }),
    ).toString('base64url');
    const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    expect(await refusal(verifier().verify(bearer(`${header}.${payload}.${signature}`)))).toMatchObject({
      code: 'invalid_token',
    });
  });

  it.each([
    ['two segments', 'abc.def'],
    ['a non-JSON header', `${Buffer.from('not json').toString('base64url')}.e30.sig`],
    [
      'an array payload',
      `${Buffer.from('{"alg":"ES256","typ":"at+jwt","kid":"key-1"}').toString('base64url')}.${Buffer.from('[1]').toString('base64url')}.sig`,
    ],
    ['a huge header', `${'A'.repeat(6_000)}.e30.sig`],
  ])('answers a malformed token (%s) with 401 invalid_token, never a crash', async (_, token) => {
    expect(await refusal(verifier().verify(bearer(token)))).toMatchObject({ code: 'invalid_token', status: 401 });
  });
});

describe('the Authorization header (RFC 6750)', () => {
  it('answers a missing token with a bare 401', async () => {
    expect(await refusal(verifier().verify({ authorization: undefined }))).toEqual({
      code: undefined,
      status: 401,
      scope: undefined,
    });
    expect(await refusal(verifier().verify({ authorization: 'Basic YTpi' }))).toMatchObject({
      code: undefined,
      status: 401,
    });
  });

  it.each([
    ['a Bearer header without token', 'Bearer '],
    ['a token with spaces inside', 'Bearer abc def'],
    ['an oversized header', `Bearer ${'a'.repeat(9000)}`],
    ['two Authorization headers', ['Bearer a', 'Bearer b']],
    ['characters outside the token alphabet', 'Bearer @@@.###.$$$'],
    ['a 20 KB token', `Bearer ${'A'.repeat(20_000)}.e30.sig`],
  ])('answers %s with 400 invalid_request', async (_, authorization) => {
    expect(await refusal(verifier().verify({ authorization }))).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('refuses a query-string token with 400 invalid_request, alone or next to the header', async () => {
    const token = await issuer.mint();
    expect(await refusal(verifier().verify({ authorization: undefined, hasQueryToken: true }))).toMatchObject({
      code: 'invalid_request',
      status: 400,
    });
    expect(await refusal(verifier().verify({ ...bearer(token), hasQueryToken: true }))).toMatchObject({
      code: 'invalid_request',
      status: 400,
    });
    const v = verifier();
    await v.verify(bearer(token)); // now cached: the cached path refuses it the same way
    expect(() => v.verifyCached({ ...bearer(token), hasQueryToken: true })).toThrow(BearerError);
  });
});

describe('scopes', () => {
  it('requires every scope of allOf and one of anyOf, answering 403 with the scopes that would do', async () => {
    const token = await issuer.mint({ scope: 'api' });
    await expect(verifier().verify(bearer(token), { allOf: ['api'], anyOf: ['api', 'admin'] })).resolves.toBeDefined();
    expect(await refusal(verifier().verify(bearer(token), { allOf: ['api', 'write'] }))).toEqual({
      code: 'insufficient_scope',
      status: 403,
      scope: ['api', 'write'],
    });
    expect(await refusal(verifier().verify(bearer(token), { anyOf: ['admin', 'write'] }))).toMatchObject({
      status: 403,
    });
  });
});

describe('appsecret_proof', () => {
  const options = { appsecretProof: { required: true, clientSecrets: { spa: 'the-client-secret' } } };

  it('accepts the right proof and refuses a wrong or missing one with 401', async () => {
    const token = await issuer.mint();
    const proof = computeAppSecretProof(token, 'the-client-secret');
    expect(proof).toMatch(/^[0-9a-f]{64}$/);
    await expect(verifier(options).verify({ ...bearer(token), appsecretProof: proof })).resolves.toBeDefined();
    const wrong = computeAppSecretProof(token, 'another-secret');
    expect(await refusal(verifier(options).verify({ ...bearer(token), appsecretProof: wrong }))).toMatchObject({
      status: 401,
    });
    expect(await refusal(verifier(options).verify(bearer(token)))).toMatchObject({ status: 401 });
    const otherClient = await issuer.mint({ client_id: 'unknown' });
    const proofForIt = computeAppSecretProof(otherClient, 'the-client-secret');
    expect(
      await refusal(verifier(options).verify({ ...bearer(otherClient), appsecretProof: proofForIt })),
    ).toMatchObject({ status: 401 });
  });
});

describe('the issuer’s keys', () => {
  it('picks up a rotated key after the cool-down, with one fetch for a flood of unknown kids', async () => {
    const v = verifier({ jwksCooldownSeconds: 30 });
    await v.verify(bearer(await issuer.mint()));
    const rotated = await issuer.newKey('key-2');
    issuer.state.published = [issuer.state.signing.jwk, rotated.jwk];
    const fetchesBefore = issuer.state.jwksFetches;
    now += 31_000;
    const forged = await Promise.all(Array.from({ length: 50 }, (_, i) => issuer.newKey(`random-${i}`)));
    const nowSeconds = Math.floor(now / 1000);
    const tokens = await Promise.all(forged.map((key) => issuer.mint({}, { key, nowSeconds })));
    const results = await Promise.all(tokens.map((token) => refusal(v.verify(bearer(token)))));
    expect(results.every((r) => r.code === 'invalid_token')).toBe(true);
    expect(issuer.state.jwksFetches - fetchesBefore).toBeLessThanOrEqual(1);
    // The legitimately rotated key: known after that single refetch.
    await expect(
      v.verify(bearer(await issuer.mint({}, { key: rotated, nowSeconds: Math.floor(now / 1000) }))),
    ).resolves.toBeDefined();
  });

  it('answers 503 when the JWKS is unreachable on a cold cache, keeps working warm, and recovers', async () => {
    const cold = verifier();
    issuer.state.down = true;
    const token = await issuer.mint();
    await expect(cold.verify(bearer(token))).rejects.toBeInstanceOf(ProviderUnavailableError);
    issuer.state.down = false;
    await expect(cold.verify(bearer(token))).resolves.toBeDefined();
    issuer.state.down = true;
    await expect(cold.verify(bearer(token))).resolves.toBeDefined(); // warm: cached keys still verify
  });
});

describe('verified-token cache', () => {
  it('skips the signature check for a repeated token but never accepts it past exp', async () => {
    const v = verifier();
    const token = await issuer.mint({}, { nowSeconds: Math.floor(now / 1000) });
    await v.verify(bearer(token));
    issuer.state.down = true; // a cache hit needs no key
    await expect(v.verify(bearer(token))).resolves.toBeDefined();
    now += 331_000; // past exp (300 s) and the 30 s tolerance
    expect(await refusal(v.verify(bearer(token)))).toMatchObject({ code: 'invalid_token' });
  });

  it('still checks scopes and appsecret_proof on a cache hit', async () => {
    const v = verifier({ appsecretProof: { required: true, clientSecrets: { spa: 's3cret' } } });
    const token = await issuer.mint({ scope: 'read' });
    const proof = computeAppSecretProof(token, 's3cret');
    await v.verify({ ...bearer(token), appsecretProof: proof });
    expect(await refusal(v.verify(bearer(token)))).toMatchObject({ status: 401 });
    expect(await refusal(v.verify({ ...bearer(token), appsecretProof: proof }, { allOf: ['api'] }))).toMatchObject({
      status: 403,
    });
  });
});
