import type { RegisteredClient } from '../protocol/client-metadata.js';
import { InvalidRequestError } from '../protocol/errors.js';

const challengePattern = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * PKCE (RFC 7636) with S256 only: required for public clients; optional for confidential ones
 * (SECURITY.md §9.2) but enforced when sent. `plain`, a challenge without a method, unknown methods and
 * malformed challenges are refused.
 */
export function checkPkce(
  challenge: string | undefined,
  method: string | undefined,
  client: RegisteredClient,
): string | undefined {
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequestError('code_challenge_method without code_challenge');
    if (client.isPublic) throw new InvalidRequestError('PKCE is required: send code_challenge with method S256');
    return undefined;
  }
  if (method !== 'S256') throw new InvalidRequestError('code_challenge_method must be S256');
  if (!challengePattern.test(challenge)) throw new InvalidRequestError('code_challenge is malformed');
  return challenge;
}
