import { randomBytes } from 'node:crypto';
import { ConfigError } from '@gatehouse/config';
import { describe, expect, it } from 'vitest';
import { loadBffConfig } from '../../src/config/bff-config.js';

const valid = {
  publicUrl: 'http://localhost:3000',
  issuer: 'http://localhost:4000',
  clientId: 'demo-bff',
  clientSecret: randomBytes(24).toString('base64url'),
  tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
  routes: [{ path: '/api', target: 'http://localhost:5000', scopes: ['api'] }],
};

function fieldOf(input: unknown): string | undefined {
  try {
    loadBffConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.field;
    throw error;
  }
  return undefined;
}

describe('BFF configuration', () => {
  it('applies documented defaults', () => {
    const config = loadBffConfig(valid);
    expect(config).toMatchObject({
      port: 3000,
      prefix: '/bff',
      store: 'sqlite:.gatehouse/bff.db',
      sessionIdleTimeoutSeconds: 28_800,
      refreshMarginSeconds: 60,
      tokenMediating: { enabled: false },
      idTokenSigningAlg: 'RS256',
      idTokenTrustedAudiences: [],
      trustedProxies: [],
    });
    expect(config.routes[0]).toEqual({
      path: '/api',
      target: 'http://localhost:5000',
      token: 'user',
      scopes: ['api'],
      appsecretProof: false,
    });
  });

  it.each([
    ['no client secret', { ...valid, clientSecret: undefined }, 'clientSecret'],
    ['a short client secret', { ...valid, clientSecret: 'short' }, 'clientSecret'],
    ['no token-encryption keys', { ...valid, tokenEncryptionKeys: [] }, 'tokenEncryptionKeys'],
    ['a trusted proxy that is not an address or range', { ...valid, trustedProxies: ['nginx'] }, 'trustedProxies.0'],
    ['a malformed key', { ...valid, tokenEncryptionKeys: ['not-a-key'] }, 'tokenEncryptionKeys.0'],
    ['http on a public host', { ...valid, publicUrl: 'http://app.example.com' }, 'publicUrl'],
    ['an http issuer on a public host', { ...valid, issuer: 'http://idp.example.com' }, 'issuer'],
    ['a public URL with a path', { ...valid, publicUrl: 'https://app.example.com/app' }, 'publicUrl'],
    ['a misspelt key', { ...valid, sesionIdleTimeoutSeconds: 60 }, 'sesionIdleTimeoutSeconds'],
    [
      'an unknown route token kind',
      { ...valid, routes: [{ path: '/api', target: 'http://x', token: 'both' }] },
      'routes.0.token',
    ],
    ['a route under the BFF prefix', { ...valid, routes: [{ path: '/bff/x', target: 'http://x' }] }, 'routes.0.path'],
    ['a route on /', { ...valid, routes: [{ path: '/', target: 'http://x' }] }, 'routes.0.path'],
    ['a route with ..', { ...valid, routes: [{ path: '/api/../admin', target: 'http://x' }] }, 'routes.0.path'],
    ['two routes on one path', { ...valid, routes: [valid.routes[0], valid.routes[0]] }, 'routes.1.path'],
    ['an HMAC ID-token algorithm', { ...valid, idTokenSigningAlg: 'HS256' }, 'idTokenSigningAlg'],
    ['none as the ID-token algorithm', { ...valid, idTokenSigningAlg: 'none' }, 'idTokenSigningAlg'],
    ['an empty trusted audience', { ...valid, idTokenTrustedAudiences: [''] }, 'idTokenTrustedAudiences.0'],
    [
      'an absolute limit under the idle one',
      { ...valid, sessionIdleTimeoutSeconds: 7200, sessionAbsoluteTimeoutSeconds: 3600 },
      'sessionAbsoluteTimeoutSeconds',
    ],
  ])('refuses %s, naming the field', (_, input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('accepts https anywhere and http on loopback', () => {
    expect(() =>
      loadBffConfig({ ...valid, publicUrl: 'https://app.example.com', issuer: 'https://idp.example.com' }),
    ).not.toThrow();
    expect(() => loadBffConfig({ ...valid, publicUrl: 'http://127.0.0.1:3000' })).not.toThrow();
  });

  it('defaults the proxy body limit and the per-source rate limits, and refuses nonsense in them', () => {
    const config = loadBffConfig(valid);
    expect(config.maxRequestBodyBytes).toBe(1024 * 1024);
    expect(config.rateLimits).toEqual({
      login: { limit: 60, windowSeconds: 60 },
      clientRoutes: { limit: 600, windowSeconds: 60 },
    });
    const narrower = loadBffConfig({ ...valid, rateLimits: { login: { limit: 5 } } });
    expect(narrower.rateLimits.login).toEqual({ limit: 5, windowSeconds: 60 });
    expect(fieldOf({ ...valid, maxRequestBodyBytes: 0 })).toBe('maxRequestBodyBytes');
    expect(fieldOf({ ...valid, rateLimits: { login: { limit: 0 } } })).toBe('rateLimits.login.limit');
    expect(fieldOf({ ...valid, rateLimits: { logins: { limit: 5 } } })).toBe('rateLimits.logins');
  });

  describe('upstreams', () => {
    const social = { name: 'social', apiBaseUrl: 'https://graph.social.example/v2' };
    const withUpstream = (route: Record<string, unknown>, upstreams: unknown[] = [social]) => ({
      ...valid,
      upstreams,
      routes: [{ path: '/social', target: 'https://graph.social.example/v2', token: 'upstream:social', ...route }],
    });

    it('defaults to none, and an upstream keeps its token on the server by default', () => {
      expect(loadBffConfig(valid).upstreams).toEqual([]);
      const config = loadBffConfig(withUpstream({}));
      expect(config.upstreams).toEqual([{ ...social, exposeTokenToBrowser: false }]);
      expect(config.routes[0]?.token).toBe('upstream:social');
    });

    it('accepts a target below apiBaseUrl, or any target when the upstream has none', () => {
      expect(() => loadBffConfig(withUpstream({ target: 'https://graph.social.example/v2/me' }))).not.toThrow();
      expect(() =>
        loadBffConfig(withUpstream({ target: 'https://anywhere.example/api' }, [{ name: 'social' }])),
      ).not.toThrow();
      expect(() =>
        loadBffConfig({ ...valid, upstreams: [{ name: 'local', apiBaseUrl: 'http://localhost:4100' }] }),
      ).not.toThrow();
    });

    it.each([
      ['a route naming no configured upstream', withUpstream({ token: 'upstream:github' }), 'routes.0.token'],
      ['a route naming an upstream when there are none', withUpstream({}, []), 'routes.0.token'],
      ['a malformed upstream token', withUpstream({ token: 'upstream:Social' }), 'routes.0.token'],
      ['a target on another host', withUpstream({ target: 'https://evil.example/v2' }), 'routes.0.target'],
      ['a target on a sibling path', withUpstream({ target: 'https://graph.social.example/v20' }), 'routes.0.target'],
      ['a target above the base', withUpstream({ target: 'https://graph.social.example/' }), 'routes.0.target'],
      ['scopes on an upstream route', withUpstream({ scopes: ['email'] }), 'routes.0.scopes'],
      ['appsecretProof on an upstream route', withUpstream({ appsecretProof: true }), 'routes.0.appsecretProof'],
      ['a malformed upstream name', { ...valid, upstreams: [{ name: 'Social' }] }, 'upstreams.0.name'],
      ['two upstreams with one name', { ...valid, upstreams: [social, social] }, 'upstreams.1.name'],
      [
        'an http apiBaseUrl on a public host',
        { ...valid, upstreams: [{ name: 'social', apiBaseUrl: 'http://graph.social.example' }] },
        'upstreams.0.apiBaseUrl',
      ],
      [
        'an apiBaseUrl with a query',
        { ...valid, upstreams: [{ name: 'social', apiBaseUrl: 'https://graph.social.example/?v=2' }] },
        'upstreams.0.apiBaseUrl',
      ],
      [
        'an apiBaseUrl with credentials',
        { ...valid, upstreams: [{ name: 'social', apiBaseUrl: 'https://me:pw@graph.social.example' }] },
        'upstreams.0.apiBaseUrl',
      ],
      ['an unknown upstream key', { ...valid, upstreams: [{ name: 'social', scopes: [] }] }, 'upstreams.0.scopes'],
    ])('refuses %s, naming the field', (_, input, field) => {
      expect(fieldOf(input)).toBe(field);
    });
  });
});
