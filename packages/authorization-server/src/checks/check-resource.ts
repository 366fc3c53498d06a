import { InvalidTargetError } from '../protocol/errors.js';

/**
 * The access token's audience (RFC 8707): the `resource` sent, which must be one of the configured
 * resources (absolute, no fragment), or the first configured resource, or the issuer when none is.
 */
export function checkResource(resource: string | undefined, allowed: readonly string[], issuer: string): string {
  if (resource === undefined) return allowed[0] ?? issuer;
  if (!allowed.includes(resource))
    throw new InvalidTargetError('resource is not an API this provider issues tokens for');
  return resource;
}
