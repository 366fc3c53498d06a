import { describe, expect, it } from 'vitest';
import { describeSignInMethods, describeTimeLeft, initialsOf, summarizeUser } from '../src/user-summary.js';

const now = Date.parse('2030-01-01T12:00:00Z');

describe('summarizeUser', () => {
  it('names the user by name, then username, then email, then subject', () => {
    const session = { expiresAt: now };
    expect(summarizeUser({ claims: { sub: 's', name: 'Ada', email: 'a@x' }, session }).name).toBe('Ada');
    expect(summarizeUser({ claims: { sub: 's', preferred_username: 'ada' }, session }).name).toBe('ada');
    expect(summarizeUser({ claims: { sub: 's', name: ' ', email: 'a@x' }, session }).name).toBe('a@x');
    expect(summarizeUser({ claims: { sub: 's' }, session }).name).toBe('s');
  });

  it('lists one sign-in method per amr value, unknown values as given', () => {
    expect(describeSignInMethods(['pwd', 'otp', 'webauthn'])).toEqual(['Password', 'One-time code', 'webauthn']);
    expect(describeSignInMethods('pwd')).toEqual([]);
    expect(describeSignInMethods(['toString', 1])).toEqual(['toString']);
  });
});

describe('describeTimeLeft', () => {
  it('counts hours and minutes, days for long sessions', () => {
    expect(describeTimeLeft(now + (7 * 60 + 59) * 60_000, now)).toBe('in 7 h 59 min');
    expect(describeTimeLeft(now + 3 * 60_000 + 5_000, now)).toBe('in 3 min');
    expect(describeTimeLeft(now + 30_000, now)).toBe('in less than a minute');
    expect(describeTimeLeft(now + 2 * 86_400_000 + 3 * 3_600_000, now)).toBe('in 2 d 3 h');
  });

  it('says expired at and after the end', () => {
    expect(describeTimeLeft(now, now)).toBe('expired');
    expect(describeTimeLeft(now - 1, now)).toBe('expired');
  });
});

describe('initialsOf', () => {
  it('takes the first and last word’s first letters', () => {
    expect(initialsOf('Ada Lovelace')).toBe('AL');
    expect(initialsOf('Demo User Account')).toBe('DA');
    expect(initialsOf('ada@example.com')).toBe('AC');
    expect(initialsOf('ada')).toBe('A');
    expect(initialsOf('')).toBe('');
  });
});
