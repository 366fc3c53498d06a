import { InvalidRequestError } from '../protocol/errors.js';

const supported = new Set(['none', 'login', 'consent']);

/**
 * `prompt` (OpenID Core §3.1.2.1): `none`, `login`, `consent`; `none` with anything else is invalid;
 * `select_account` and unknown values are refused explicitly, never treated as `none`. `max_age` is a
 * non-negative integer of seconds.
 */
export function checkPrompt(prompt: string | undefined, maxAge: string | undefined) {
  const values = [...new Set((prompt ?? '').split(' ').filter(Boolean))];
  for (const value of values) {
    if (!supported.has(value)) throw new InvalidRequestError(`prompt=${value.slice(0, 40)} is not supported`);
  }
  if (values.includes('none') && values.length > 1) throw new InvalidRequestError('prompt=none cannot be combined');
  let seconds: number | undefined;
  if (maxAge !== undefined) {
    if (!/^\d{1,9}$/.test(maxAge)) throw new InvalidRequestError('max_age must be a non-negative integer');
    seconds = Number(maxAge);
  }
  return { prompt: values, maxAge: seconds };
}
