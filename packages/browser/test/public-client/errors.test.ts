import { describe, expect, it, vi } from 'vitest';
import { AccessTokenNotAvailableError, SignInError } from '../../src/public-client/errors.js';

describe('public client errors', () => {
  it('keeps a registered provider code and its description', () => {
    const error = SignInError.fromProvider('consent_required', 'ask the user');
    expect(error).toBeInstanceOf(SignInError);
    expect(error.code).toBe('consent_required');
    expect(error.message).toBe('ask the user');
    expect(error.name).toBe('SignInError');
  });

  it('turns a code the provider made up into provider_error, and ignores a description that is not text', () => {
    const error = SignInError.fromProvider('<script>', { not: 'text' });
    expect(error.code).toBe('provider_error');
    expect(error.message).toBe('<script>');
  });

  it('AccessTokenNotAvailableError says which scopes are missing and redirects through its sign-in', async () => {
    const signIn = vi.fn(async () => undefined);
    const error = new AccessTokenNotAvailableError(signIn, ['calendar']);
    expect(error.code).toBe('ERR_ACCESS_TOKEN_NOT_AVAILABLE');
    expect(error.missingScopes).toEqual(['calendar']);
    await error.redirect({ returnUrl: '/calendar' });
    expect(signIn).toHaveBeenCalledWith({ returnUrl: '/calendar' });
    expect(new AccessTokenNotAvailableError(signIn).missingScopes).toEqual([]);
  });
});
