import { describe, expect, it } from 'vitest';
import { isPlausibleEmail } from '../../src/checks/email-address.js';

describe('isPlausibleEmail', () => {
  it.each(['a@example.com', 'first.last+tag@sub.example.co.uk', `${'l'.repeat(64)}@example.com`])(
    'accepts %s',
    (email) => expect(isPlausibleEmail(email)).toBe(true),
  );

  it.each([
    ['no @', 'example.com'],
    ['no dot in the domain', 'a@localhost'],
    ['a space', 'a b@example.com'],
    ['two @', 'a@b@example.com'],
    ['a local part over 64', `${'l'.repeat(65)}@example.com`],
    ['over 254 in all', `a@${'d'.repeat(189)}.${'t'.repeat(63)}`],
    ['empty', ''],
  ])('refuses %s', (_why, email) => expect(isPlausibleEmail(email)).toBe(false));
});
