import { describe, expect, it } from 'vitest';
import { beginAuthorization } from '../../src/public-client/begin-authorization.js';
import { validateCallback } from '../../src/public-client/validate-callback.js';
import {
  authorizationParams,
  expectSignInError,
  fakeEnvironment,
  issuer,
  metadata,
  redirectUri,
} from './fake-environment.js';

/** A started sign-in, and the callback URL the provider would send back with `values`. */
async function started(options: Parameters<typeof fakeEnvironment>[0] = {}) {
  const { context, env } = fakeEnvironment(options);
  const { state, nonce } = authorizationParams(await beginAuthorization({}, context));
  const callback = (values: Record<string, string>) =>
    `${redirectUri}?${new URLSearchParams({ state: state as string, iss: issuer, ...values })}`;
  return { context, env, state: state as string, nonce, callback };
}

describe('validate the callback', () => {
  it('hands back the code and the transaction its state names', async () => {
    const { context, nonce, callback } = await started();
    const { code, transaction } = await validateCallback(callback({ code: 'the-code' }), context);
    expect(code).toBe('the-code');
    expect(transaction.nonce).toBe(nonce);
  });

  it('takes the transaction once: the same response again is invalid_state', async () => {
    const { context, env, callback } = await started();
    await validateCallback(callback({ code: 'c' }), context);
    expect(env.storage.items.size).toBe(0);
    await expectSignInError(validateCallback(callback({ code: 'c' }), context), 'invalid_state');
  });

  it.each([
    ['a state this tab never issued', { state: 'A'.repeat(43) }],
    ['a state of the wrong shape', { state: 'short' }],
    ['no state', { state: '' }],
  ])('refuses %s as invalid_state', async (_, values) => {
    const { context, callback } = await started();
    await expectSignInError(validateCallback(callback({ code: 'c', ...values }), context), 'invalid_state');
  });

  it('refuses another issuer as invalid_issuer (RFC 9207), and the transaction is spent', async () => {
    const { context, env, callback } = await started();
    await expectSignInError(
      validateCallback(callback({ code: 'c', iss: 'https://evil.test' }), context),
      'invalid_issuer',
    );
    expect(env.storage.items.size).toBe(0);
  });

  it('refuses a missing iss when the provider says it always sends one', async () => {
    const { context, state } = await started({
      discovery: () => Response.json({ ...metadata, authorization_response_iss_parameter_supported: true }),
    });
    await expectSignInError(validateCallback(`${redirectUri}?code=c&state=${state}`, context), 'invalid_issuer');
  });

  it('accepts a missing iss from a provider that never promised one', async () => {
    const { context, state } = await started();
    expect((await validateCallback(`${redirectUri}?code=c&state=${state}`, context)).code).toBe('c');
  });

  it('refuses a provider error by its registered code', async () => {
    const { context, callback } = await started();
    await expectSignInError(
      validateCallback(callback({ error: 'access_denied', error_description: 'the user said no' }), context),
      'access_denied',
    );
  });

  it('refuses an unregistered provider error as provider_error', async () => {
    const { context, callback } = await started();
    await expectSignInError(validateCallback(callback({ error: '<script>' }), context), 'provider_error');
  });

  it('refuses a response with neither code nor error as invalid_request', async () => {
    const { context, callback } = await started();
    await expectSignInError(validateCallback(callback({}), context), 'invalid_request');
  });

  it('refuses an unreadable stored transaction as invalid_state, not a SyntaxError', async () => {
    const { context, env, state, callback } = await started();
    env.storage.setItem(`gatehouse.signin.${state}`, '{"nonce":');
    await expectSignInError(validateCallback(callback({ code: 'c' }), context), 'invalid_state');
  });
});
