import { describe, expect, it } from 'vitest';
import { describeLoginFailure, displayableErrorCode } from '../src/login-failure.js';

const bffCodes = [
  'access_denied',
  'login_required',
  'consent_required',
  'invalid_state',
  'invalid_callback',
  'login_failed',
  'provider_unavailable',
  'temporarily_unavailable',
  'server_error',
];

describe('describeLoginFailure', () => {
  it('has its own sentence for every code the BFF sends', () => {
    const general = describeLoginFailure(undefined);
    const sentences = bffCodes.map(describeLoginFailure);
    for (const sentence of sentences) expect(sentence).not.toBe(general);
    expect(new Set(sentences).size).toBe(bffCodes.length);
  });

  it('has a sentence for the public client’s own codes', () => {
    for (const code of ['invalid_issuer', 'invalid_id_token', 'token_request_failed']) {
      expect(describeLoginFailure(code)).not.toBe(describeLoginFailure(null));
    }
  });

  it('falls back to the general sentence for a missing, unknown or inherited name', () => {
    const general = describeLoginFailure(null);
    expect(describeLoginFailure('')).toBe(general);
    expect(describeLoginFailure('no_such_code')).toBe(general);
    expect(describeLoginFailure('constructor')).toBe(general);
    expect(describeLoginFailure('__proto__')).toBe(general);
  });
});

describe('displayableErrorCode', () => {
  it('keeps a code-shaped value and drops anything else', () => {
    expect(displayableErrorCode('access_denied')).toBe('access_denied');
    expect(displayableErrorCode('<script>')).toBeUndefined();
    expect(displayableErrorCode('x'.repeat(65))).toBeUndefined();
    expect(displayableErrorCode(null)).toBeUndefined();
  });
});
