import { ConfigError } from '@gatehouse/config';
import { describe, expect, it } from 'vitest';
import { loadAuthorizationServerConfig } from '../../src/config/as-config.js';

const base = { issuer: 'http://localhost:4000', cookieSecrets: ['renamed-fields-test-secret-0123456789'] };

describe('configuration fields named with their unit', () => {
  it.each([
    ['accessTokenTtl', 'accessTokenTtlSeconds', 60],
    ['implicitAccessTokenTtl', 'implicitAccessTokenTtlSeconds', 60],
    ['refreshTokenTtl', 'refreshTokenTtlSeconds', 40 * 86400],
    ['refreshTokenIdleTtl', 'refreshTokenIdleTtlSeconds', 60],
    ['longLivedTokenTtl', 'longLivedTokenTtlSeconds', 60],
    ['idTokenTtl', 'idTokenTtlSeconds', 60],
    ['codeTtl', 'codeTtlSeconds', 30],
    ['sessionTtl', 'sessionTtlSeconds', 60],
  ])('refuses the old name %s, naming %s', (old, current, value) => {
    let thrown: unknown;
    try {
      loadAuthorizationServerConfig({ ...base, [old]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toBe(`authorization server config: ${old}: renamed to ${current}`);
    expect(loadAuthorizationServerConfig({ ...base, [current]: value })[current as 'codeTtlSeconds']).toBe(value);
  });
});
