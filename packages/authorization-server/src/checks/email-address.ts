/** At most 64 characters before the `@`, a dotted domain after it, no spaces; RFC 5321's 254 in all. */
const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{1,63}$/;
const maxEmailLength = 254;

/**
 * Whether `email` looks like an address mail could reach. Deliberately loose (no quoted local parts,
 * no IP literals): the address is proven by the mail that reaches it, not by its spelling.
 */
export function isPlausibleEmail(email: string): boolean {
  return email.length <= maxEmailLength && emailPattern.test(email);
}
