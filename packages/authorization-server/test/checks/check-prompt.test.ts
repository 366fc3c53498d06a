import { describe, expect, it } from 'vitest';
import { checkPrompt } from '../../src/checks/check-prompt.js';
import { InvalidRequestError } from '../../src/protocol/errors.js';

// OpenID Connect Core §3.1.2.1: prompt and max_age.

describe('checkPrompt', () => {
  it('reads no prompt and no max_age as nothing asked', () => {
    expect(checkPrompt(undefined, undefined)).toEqual({ prompt: [], maxAge: undefined });
  });

  it.each(['none', 'login', 'consent'])('accepts prompt=%s', (value) => {
    expect(checkPrompt(value, undefined).prompt).toEqual([value]);
  });

  it('accepts login and consent together, each once', () => {
    expect(checkPrompt('login consent login', undefined).prompt).toEqual(['login', 'consent']);
  });

  it('refuses none with anything else', () => {
    expect(() => checkPrompt('none login', undefined)).toThrow(InvalidRequestError);
    expect(() => checkPrompt('consent none', undefined)).toThrow(InvalidRequestError);
  });

  it('accepts none repeated (it is still none alone)', () => {
    expect(checkPrompt('none none', undefined).prompt).toEqual(['none']);
  });

  it.each([
    ['select_account', 'select_account'],
    ['an unknown value', 'sneaky'],
    ['a known value in another case', 'Login'],
    ['an unknown value beside a known one', 'login create'],
  ])('refuses %s, never reading it as none', (_label, prompt) => {
    expect(() => checkPrompt(prompt, undefined)).toThrow(InvalidRequestError);
  });

  it('reads max_age as seconds, 0 and nine digits included', () => {
    expect(checkPrompt(undefined, '0').maxAge).toBe(0);
    expect(checkPrompt(undefined, '3600').maxAge).toBe(3600);
    expect(checkPrompt(undefined, '999999999').maxAge).toBe(999_999_999);
  });

  it.each([
    ['negative', '-1'],
    ['a fraction', '1.5'],
    ['empty', ''],
    ['ten digits', '1000000000'],
    ['a number with a unit', '60s'],
    ['a number with spaces', ' 60'],
    ['an exponent', '1e3'],
  ])('refuses a max_age that is %s', (_label, maxAge) => {
    expect(() => checkPrompt(undefined, maxAge)).toThrow(InvalidRequestError);
  });
});
