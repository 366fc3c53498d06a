import { type ProviderMetadata, ProviderUnavailableError, TokenEndpointError } from '@gatehouse/oidc-client';
import { describe, expect, it } from 'vitest';
import { UpstreamCallError } from '../../src/upstream/upstream-call-error.js';
import { exchangeForUpstreamToken } from '../../src/upstream/upstream-token-exchange.js';

const metadata = { issuer: 'https://as.example', token_endpoint: 'https://as.example/token' } as ProviderMetadata;
const client = { clientId: 'bff', clientSecret: 'a-secret-of-some-length' };
const now = Date.parse('2030-01-01T00:00:00Z');
const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token';

/** A fetch that answers every request with `answer` and records what was sent; no network. */
function answering(answer: () => Response) {
  const sent: { url: string; headers: Headers; form: URLSearchParams }[] = [];
  const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), headers: new Headers(init?.headers), form: new URLSearchParams(String(init?.body)) });
    return answer();
  }) as typeof fetch;
  return { sent, fetchImpl };
}

const exchange = (fetchImpl: typeof fetch) =>
  exchangeForUpstreamToken(metadata, client, 'subject-token', 'social', { fetch: fetchImpl, now: () => now });

describe('exchangeForUpstreamToken', () => {
  it('sends an RFC 8693 exchange for audience upstream:<name> with client authentication', async () => {
    const { sent, fetchImpl } = answering(() =>
      Response.json({ access_token: 'upstream', token_type: 'Bearer', issued_token_type: accessTokenType }),
    );
    await exchange(fetchImpl);
    expect(sent[0]?.url).toBe('https://as.example/token');
    expect(sent[0]?.headers.get('authorization')).toMatch(/^Basic /);
    expect(Object.fromEntries(sent[0]?.form ?? [])).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: 'subject-token',
      subject_token_type: accessTokenType,
      requested_token_type: accessTokenType,
      audience: 'upstream:social',
    });
  });

  it('reads the token, its lifetime and its appsecret_proof', async () => {
    const proof = 'ab'.repeat(32);
    const { fetchImpl } = answering(() =>
      Response.json({
        access_token: 'upstream',
        token_type: 'Bearer',
        issued_token_type: accessTokenType,
        expires_in: 3599,
        appsecret_proof: proof,
      }),
    );
    expect(await exchange(fetchImpl)).toEqual({
      accessToken: 'upstream',
      expiresAt: now + 3_599_000,
      appsecretProof: proof,
    });
  });

  it('leaves the lifetime and the proof undefined when the answer has none', async () => {
    const { fetchImpl } = answering(() =>
      Response.json({ access_token: 'upstream', token_type: 'bearer', issued_token_type: accessTokenType }),
    );
    expect(await exchange(fetchImpl)).toEqual({
      accessToken: 'upstream',
      expiresAt: undefined,
      appsecretProof: undefined,
    });
  });

  it.each([
    ['no issued_token_type', {}],
    ['another issued_token_type', { issued_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }],
    ['a proof that is not hex', { issued_token_type: accessTokenType, appsecret_proof: 'x&admin=1' }],
    ['a proof that is not a string', { issued_token_type: accessTokenType, appsecret_proof: 12 }],
  ])('refuses an answer with %s', async (_, extra) => {
    const { fetchImpl } = answering(() => Response.json({ access_token: 'upstream', token_type: 'Bearer', ...extra }));
    await expect(exchange(fetchImpl)).rejects.toBeInstanceOf(TokenEndpointError);
  });

  it.each([
    ['invalid_grant', 400, 'consent_required'],
    ['invalid_target', 400, 'not_allowed'],
    ['unauthorized_client', 400, 'not_allowed'],
    ['temporarily_unavailable', 503, 'unavailable'],
  ])('turns %s into UpstreamCallError %s', async (code, status, reason) => {
    const { fetchImpl } = answering(() => Response.json({ error: code }, { status }));
    const failure = await exchange(fetchImpl).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamCallError);
    expect(failure).toMatchObject({ reason, upstream: 'social', code: 'ERR_UPSTREAM_CALL' });
  });

  it('leaves other refusals and an unreachable provider as they are', async () => {
    const refused = answering(() => Response.json({ error: 'invalid_request' }, { status: 400 }));
    await expect(exchange(refused.fetchImpl)).rejects.toMatchObject({ oauthError: 'invalid_request' });
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await expect(exchange(down)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});
