import { commonPasswords } from './common-passwords.js';

/** Longest password accepted, in characters; longer ones are refused before any hashing. */
export const maxPasswordLength = 1024;
const minPasswordLength = 8;

/**
 * Why a new password is refused, or undefined when it is fine (NIST SP 800-63B): at least 8
 * characters, at most 1024 (kept in full, never truncated or case-folded), not a well-known password,
 * not the email address. No composition rules.
 */
export function checkNewPassword(password: string, email: string): string | undefined {
  if (password.length < minPasswordLength) return `Use at least ${minPasswordLength} characters.`;
  if (password.length > maxPasswordLength) return `Use at most ${maxPasswordLength} characters.`;
  const lowered = password.toLowerCase();
  if (commonPasswords.has(lowered)) return 'This password is too common. Choose another one.';
  if (lowered === email.toLowerCase()) return 'Do not use your email address as password.';
  return undefined;
}
