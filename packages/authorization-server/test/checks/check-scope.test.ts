import { beforeAll, describe, expect, it } from 'vitest';
import { checkScope } from '../../src/checks/check-scope.js';
import type { RegisteredClient } from '../../src/protocol/client-metadata.js';
import { InvalidScopeError } from '../../src/protocol/errors.js';
import { registeredClient } from '../registered-clients.js';

// RFC 6749 §3.3: scope is a space-delimited list of tokens (%x21 / %x23-5B / %x5D-7E).

describe('checkScope', () => {
  let client: RegisteredClient;

  beforeAll(async () => {
    client = await registeredClient({ scope: 'openid profile email api:read' });
  });

  it('returns the requested scopes, each once, in the order asked', () => {
    expect(checkScope('profile openid', client)).toEqual(['profile', 'openid']);
    expect(checkScope('openid openid profile', client)).toEqual(['openid', 'profile']);
  });

  it('ignores extra spaces between scopes', () => {
    expect(checkScope(' openid  profile ', client)).toEqual(['openid', 'profile']);
  });

  it('accepts every scope the client registered (so the refusals below are about the request)', () => {
    expect(checkScope('openid profile email api:read', client)).toHaveLength(4);
  });

  it('refuses a request without scope', () => {
    expect(() => checkScope(undefined, client)).toThrow(InvalidScopeError);
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
  ])('refuses a scope that is %s', (_label, scope) => {
    expect(() => checkScope(scope, client)).toThrow(InvalidScopeError);
  });

  it.each([
    ['a double quote', 'openid "profile"'],
    ['a backslash', 'openid pro\\file'],
    ['a control character', 'openid\u0001'],
    ['a tab as separator', 'openid\tprofile'],
    ['a character above ASCII', 'openid profilé'],
  ])('refuses a scope with %s', (_label, scope) => {
    expect(() => checkScope(scope, client)).toThrow(InvalidScopeError);
  });

  it('refuses a scope the client did not register, rather than dropping it', () => {
    expect(() => checkScope('openid admin', client)).toThrow(InvalidScopeError);
  });

  it('refuses a registered scope in another case (scopes are case-sensitive)', () => {
    expect(() => checkScope('OpenID', client)).toThrow(InvalidScopeError);
  });

  it('answers refusals as invalid_scope with status 400', () => {
    expect(() => checkScope('admin', client)).toThrow(expect.objectContaining({ code: 'invalid_scope', status: 400 }));
  });
});
