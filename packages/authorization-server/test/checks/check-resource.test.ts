import { describe, expect, it } from 'vitest';
import { checkResource } from '../../src/checks/check-resource.js';
import { InvalidTargetError } from '../../src/protocol/errors.js';

// RFC 8707 §2: the resource names the API the access token is for.

const issuer = 'https://as.test';
const resources = ['https://api.test', 'https://other-api.test/v1'];

describe('checkResource', () => {
  it('returns a configured resource that was asked for', () => {
    expect(checkResource('https://other-api.test/v1', resources, issuer)).toBe('https://other-api.test/v1');
  });

  it('defaults to the first configured resource', () => {
    expect(checkResource(undefined, resources, issuer)).toBe('https://api.test');
  });

  it('defaults to the issuer when no resource is configured', () => {
    expect(checkResource(undefined, [], issuer)).toBe(issuer);
  });

  it.each([
    ['an unknown API', 'https://evil.test'],
    ['a configured resource with a trailing slash', 'https://api.test/'],
    ['a configured resource in another case', 'https://API.test'],
    ['a path below a configured resource', 'https://other-api.test/v1/admin'],
    ['a configured resource with a fragment', 'https://api.test#x'],
    ['empty', ''],
  ])('refuses %s with invalid_target', (_label, resource) => {
    expect(() => checkResource(resource, resources, issuer)).toThrow(InvalidTargetError);
  });

  it('refuses the issuer as a resource when resources are configured', () => {
    expect(() => checkResource(issuer, resources, issuer)).toThrow(InvalidTargetError);
  });

  it('refuses any resource asked for when none is configured', () => {
    expect(() => checkResource(issuer, [], issuer)).toThrow(expect.objectContaining({ code: 'invalid_target' }));
  });
});
