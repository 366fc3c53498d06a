import { describe, expect, it } from 'vitest';
import { secretRedactor } from '../../src/checks/redact-secrets.js';

describe('secretRedactor', () => {
  it('hides each secret wherever it appears', () => {
    const redact = secretRedactor(['client-secret-0123', 'cookie-secret-4567']);
    expect(redact('a client-secret-0123 and cookie-secret-4567, client-secret-0123')).toBe(
      'a [secret] and [secret], [secret]',
    );
  });

  it('hides a store URL’s password as written and decoded, and its user info', () => {
    const url = 'postgres://gatehouse:p%2Fss%40word@db.internal:5432/gatehouse';
    const redact = secretRedactor([url]);
    expect(redact(`could not open ${url}`)).toBe('could not open [secret]');
    expect(redact('auth failed for p/ss@word')).toBe('auth failed for [secret]');
    expect(redact('auth failed for p%2Fss%40word')).toBe('auth failed for [secret]');
    expect(redact('gatehouse:p%2Fss%40word@db')).toBe('[secret]@db');
    expect(redact('user gatehouse at db.internal')).toBe('user gatehouse at db.internal');
  });

  it('hides a longer secret whole when it contains a shorter one', () => {
    const redact = secretRedactor(['abcdef', 'xx-abcdef-yy']);
    expect(redact('xx-abcdef-yy')).toBe('[secret]');
  });

  it('leaves store locations without a password readable', () => {
    const redact = secretRedactor(['memory', 'sqlite:.gatehouse/as.db', 'redis://cache:6379', 'postgres://u@db/x']);
    expect(redact('memory sqlite:.gatehouse/as.db redis://cache:6379 postgres://u@db/x')).toBe(
      'memory sqlite:.gatehouse/as.db redis://cache:6379 postgres://u@db/x',
    );
  });
});
