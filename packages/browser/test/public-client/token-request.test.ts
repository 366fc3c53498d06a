import { describe, expect, it } from 'vitest';
import { readTokenResponse, requestTokens } from '../../src/public-client/token-request.js';
import { clientId, expectSignInError, fakeEnvironment, type TokenAnswer } from './fake-environment.js';

const grant = { grant_type: 'refresh_token', refresh_token: 'refresh-1' } as const;
const request = (answer: TokenAnswer) => {
  const { context, env } = fakeEnvironment({ tokenAnswers: [answer] });
  return { env, tokens: requestTokens(grant, context) };
};

describe('token request', () => {
  it('posts the grant as a form with the public client’s client_id and no secret', async () => {
    const { env, tokens } = request({ json: { access_token: 'a', token_type: 'Bearer' } });
    expect((await tokens).access_token).toBe('a');
    const [sent] = env.sent;
    expect(sent?.method).toBe('POST');
    expect(sent?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(sent?.form ?? [])).toEqual({ ...grant, client_id: clientId });
    expect(sent?.headers.has('authorization')).toBe(false);
  });

  it('refuses the provider’s error by its registered code', async () => {
    await expectSignInError(request({ status: 400, json: { error: 'invalid_grant' } }).tokens, 'invalid_grant');
  });

  it('refuses an unregistered error code as provider_error', async () => {
    await expectSignInError(request({ status: 400, json: { error: 'made_up' } }).tokens, 'provider_error');
  });

  it.each([
    ['an error status without a code', { status: 500, body: 'oops' }],
    ['an error status with a non-string error', { status: 400, json: { error: 42 } }],
  ] as const)('refuses %s as token_request_failed', async (_, answer) => {
    await expectSignInError(request(answer).tokens, 'token_request_failed');
  });

  it('refuses no answer at all as token_request_failed, not a TypeError', async () => {
    await expectSignInError(request('network failure').tokens, 'token_request_failed');
  });

  it.each([
    ['a body that is not JSON', { body: '<html>' }],
    ['JSON null', { body: 'null' }],
    ['a JSON array', { json: ['access_token'] }],
    ['no access_token', { json: { token_type: 'Bearer' } }],
    ['an access_token that is not a string', { json: { access_token: 42 } }],
  ] as const)('refuses a success with %s as invalid_token_response', async (_, answer) => {
    await expectSignInError(request(answer).tokens, 'invalid_token_response');
  });

  it('reads a success with an access token even when other members are odd', async () => {
    const response = await readTokenResponse(Response.json({ access_token: 'a', expires_in: '300', id_token: 7 }));
    expect(response).toMatchObject({ access_token: 'a', expires_in: '300', id_token: 7 });
  });
});
