import { describe, expect, it } from 'vitest';
import { createSocialProvider, type SocialProviderOptions } from '../src/index.js';
import { ada, app } from './social-client.js';

describe('createSocialProvider options', () => {
  const valid: SocialProviderOptions = { clients: [app], users: [ada] };

  it('accepts valid options without changing them', () => {
    const options = structuredClone(valid);
    const provider = createSocialProvider(options);
    expect(options).toEqual(valid);
    expect(provider.counts).toEqual({ authorizationCode: 0, refreshToken: 0 });
  });

  it.each([
    ['a misspelt option', { ...valid, accessTokenTTL: 60 }],
    ['a client without a secret', { ...valid, clients: [{ ...app, clientSecret: '' }] }],
    ['a client listed twice', { ...valid, clients: [app, app] }],
    ['a relative redirect URI', { ...valid, clients: [{ ...app, redirectUris: ['/callback'] }] }],
    ['a redirect URI with a fragment', { ...valid, clients: [{ ...app, redirectUris: ['http://localhost/cb#x'] }] }],
    ['a user listed twice', { ...valid, users: [ada, ada] }],
    ['a fractional token lifetime', { ...valid, accessTokenTtlSeconds: 1.5 }],
  ])('refuses %s with a TypeError', (_case, options) => {
    expect(() => createSocialProvider(options as SocialProviderOptions)).toThrow(TypeError);
  });
});
