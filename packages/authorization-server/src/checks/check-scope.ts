import type { RegisteredClient } from '../protocol/client-metadata.js';
import { InvalidScopeError } from '../protocol/errors.js';

const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The requested scopes: required, well-formed (RFC 6749 §3.3), each one the client registered. A
 * scope the client may not have is refused rather than silently dropped, so the client learns why.
 */
export function checkScope(scope: string | undefined, client: RegisteredClient): string[] {
  if (scope === undefined) throw new InvalidScopeError('scope is required');
  const scopes = [...new Set(scope.split(' ').filter(Boolean))];
  if (scopes.length === 0 || scopes.some((value) => !scopeToken.test(value))) {
    throw new InvalidScopeError('scope is malformed');
  }
  const refused = scopes.filter((value) => !client.scopes.has(value));
  if (refused.length > 0)
    throw new InvalidScopeError(`this client may not request: ${refused.join(' ').slice(0, 200)}`);
  return scopes;
}
