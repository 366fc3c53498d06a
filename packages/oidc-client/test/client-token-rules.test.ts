import { describe, expect, it } from 'vitest';
import { audienceFault, checkTokenRules } from '../src/client-token-rules.js';

describe('client token rules', () => {
  it('expect RS256, OpenID’s default, and no other audience unless told', () => {
    expect(checkTokenRules()).toEqual({ algorithms: ['RS256'], trustedAudiences: new Set() });
    expect(checkTokenRules({ signingAlgorithm: 'ES256', trustedAudiences: ['api'] })).toEqual({
      algorithms: ['ES256'],
      trustedAudiences: new Set(['api']),
    });
  });

  it.each(['HS256', 'none', 'rs256', ''])('refuse %j as the signing algorithm (caller misuse)', (alg) => {
    expect(() => checkTokenRules({ signingAlgorithm: alg as 'RS256' })).toThrow(TypeError);
  });
});

describe('audience rules (OpenID Connect Core §3.1.3.7 steps 3–5)', () => {
  const none = new Set<string>();

  it('accept the client as the only audience, with or without its own azp', () => {
    expect(audienceFault({ aud: 'bff' }, 'bff', none)).toBeUndefined();
    expect(audienceFault({ aud: ['bff'] }, 'bff', none)).toBeUndefined();
    expect(audienceFault({ aud: 'bff', azp: 'bff' }, 'bff', none)).toBeUndefined();
  });

  it('refuse an audience the client does not trust, whatever azp says', () => {
    expect(audienceFault({ aud: ['bff', 'other'], azp: 'bff' }, 'bff', none)).toBe('untrusted audience');
    expect(audienceFault({ aud: ['other', 'bff'] }, 'bff', none)).toBe('untrusted audience');
  });

  it('accept a trusted extra audience only with azp naming the client', () => {
    const trusted = new Set(['api']);
    expect(audienceFault({ aud: ['bff', 'api'], azp: 'bff' }, 'bff', trusted)).toBeUndefined();
    expect(audienceFault({ aud: ['bff', 'api'] }, 'bff', trusted)).toBe('azp mismatch');
    expect(audienceFault({ aud: ['bff', 'api'], azp: 'api' }, 'bff', trusted)).toBe('azp mismatch');
  });

  it('refuse an azp naming another client even with a single audience', () => {
    expect(audienceFault({ aud: 'bff', azp: 'other' }, 'bff', none)).toBe('azp mismatch');
  });
});
