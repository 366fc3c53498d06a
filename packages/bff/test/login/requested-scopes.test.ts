import { describe, expect, it } from 'vitest';
import { parseScopeRequest, scopesToRequest } from '../../src/login/requested-scopes.js';

const allowed = new Set(['openid', 'profile', 'api', 'calendar.read']);

describe('parseScopeRequest', () => {
  it('treats a missing or empty scope as absent', () => {
    expect(parseScopeRequest(undefined, allowed)).toEqual({ kind: 'absent' });
    expect(parseScopeRequest('', allowed)).toEqual({ kind: 'absent' });
  });

  it('allows a list of allow-listed scopes, each once', () => {
    expect(parseScopeRequest('api calendar.read api', allowed)).toEqual({
      kind: 'allowed',
      scopes: ['api', 'calendar.read'],
    });
  });

  it('refuses a scope outside the allow-list, malformed lists, repeats of the parameter and huge values', () => {
    for (const value of [
      'admin',
      'api admin',
      'api  profile',
      ' api',
      'api\r\nprofile',
      'api"',
      ['api', 'profile'],
      `api ${'x'.repeat(1100)}`,
      42,
    ]) {
      expect(parseScopeRequest(value, allowed)).toEqual({ kind: 'refused' });
    }
  });
});

describe('scopesToRequest', () => {
  it('asks for the configured scopes, what the session holds, and the new ones, once each', () => {
    expect(
      scopesToRequest(['openid', 'profile'], ['openid', 'profile', 'api'], ['calendar.read', 'api'], allowed),
    ).toEqual(['openid', 'profile', 'api', 'calendar.read']);
  });

  it('does not carry over a granted scope that is no longer allowed', () => {
    expect(scopesToRequest(['openid'], ['openid', 'retired'], ['api'], allowed)).toEqual(['openid', 'api']);
  });
});
