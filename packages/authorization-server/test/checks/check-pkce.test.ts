import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPkce } from '../../src/checks/check-pkce.js';
import type { RegisteredClient } from '../../src/protocol/client-metadata.js';
import { InvalidRequestError } from '../../src/protocol/errors.js';
import { registeredClient } from '../registered-clients.js';

// RFC 7636 §4.2–4.3: S256 only; required for public clients; a challenge is 43–128 unreserved characters.

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const challenge = s256(randomBytes(32).toString('base64url'));

describe('checkPkce', () => {
  let publicClient: RegisteredClient;
  let confidentialClient: RegisteredClient;

  beforeAll(async () => {
    publicClient = await registeredClient({ client_id: 'spa', token_endpoint_auth_method: 'none' });
    confidentialClient = await registeredClient({
      client_id: 'web',
      client_secret: 'web-secret-0123456789abcdefghijklmn',
    });
  });

  it('returns an S256 challenge for a public client', () => {
    expect(checkPkce(challenge, 'S256', publicClient)).toBe(challenge);
  });

  it('returns an S256 challenge for a confidential client that sends one', () => {
    expect(checkPkce(challenge, 'S256', confidentialClient)).toBe(challenge);
  });

  it('lets a confidential client go without PKCE (SECURITY.md §9.2): no challenge to keep', () => {
    expect(checkPkce(undefined, undefined, confidentialClient)).toBeUndefined();
  });

  it('refuses a public client without a challenge', () => {
    expect(() => checkPkce(undefined, undefined, publicClient)).toThrow(InvalidRequestError);
  });

  it('refuses a method without a challenge, for either kind of client', () => {
    expect(() => checkPkce(undefined, 'S256', confidentialClient)).toThrow(InvalidRequestError);
    expect(() => checkPkce(undefined, 'S256', publicClient)).toThrow(InvalidRequestError);
  });

  it.each([
    ['no method (RFC 7636 would default it to plain)', undefined],
    ['plain', 'plain'],
    ['a method in another case', 's256'],
    ['an unknown method', 'S512'],
  ])('refuses a challenge with %s', (_label, method) => {
    expect(() => checkPkce(challenge, method, publicClient)).toThrow(InvalidRequestError);
    expect(() => checkPkce(challenge, method, confidentialClient)).toThrow(InvalidRequestError);
  });

  it('accepts the shortest and longest challenges (43 and 128 characters) of every allowed character', () => {
    expect(checkPkce('A'.repeat(43), 'S256', publicClient)).toHaveLength(43);
    const unreserved = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
    const longest = unreserved.repeat(2).slice(0, 128);
    expect(checkPkce(longest, 'S256', publicClient)).toBe(longest);
  });

  it.each([
    ['42 characters', 'A'.repeat(42)],
    ['129 characters', 'A'.repeat(129)],
    ['a character outside the unreserved set', `${'A'.repeat(42)}+`],
    ['padding', `${'A'.repeat(42)}=`],
    ['a space', `${'A'.repeat(21)} ${'A'.repeat(21)}`],
    ['nothing', ''],
  ])('refuses a challenge of %s', (_label, malformed) => {
    expect(() => checkPkce(malformed, 'S256', publicClient)).toThrow(InvalidRequestError);
  });

  it('answers every refusal as invalid_request with status 400', () => {
    try {
      checkPkce(undefined, undefined, publicClient);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
      return;
    }
    throw new Error('not refused');
  });
});
