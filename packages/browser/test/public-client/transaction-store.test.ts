import { describe, expect, it } from 'vitest';
import { SignInError } from '../../src/public-client/errors.js';
import { createTransactionStore } from '../../src/public-client/transaction-store.js';
import { memoryStorage } from './fake-environment.js';

const state = 'S'.repeat(43);
const codeFlow = createTransactionStore<{ verifier: string }>('test.code.');

function expectInvalidState(take: () => unknown) {
  let failure: unknown;
  try {
    take();
  } catch (error) {
    failure = error;
  }
  expect(failure).toBeInstanceOf(SignInError);
  expect((failure as SignInError).code).toBe('invalid_state');
}

describe('sign-in transaction store', () => {
  it('hands a saved transaction back once', () => {
    const storage = memoryStorage();
    codeFlow.save(storage, state, { verifier: 'v' });
    expect(codeFlow.take(storage, state)).toEqual({ verifier: 'v' });
    expect(storage.items.size).toBe(0);
    expectInvalidState(() => codeFlow.take(storage, state));
  });

  it.each([
    ['no state', null],
    ['a state this tab never issued', 'T'.repeat(43)],
    ['a state of the wrong shape', 'short'],
  ])('refuses %s', (_, given) => {
    const storage = memoryStorage();
    codeFlow.save(storage, state, { verifier: 'v' });
    expectInvalidState(() => codeFlow.take(storage, given));
    expect(storage.items.size).toBe(1);
  });

  it.each(['{not json', 'null', '"text"', '42'])('refuses, and removes, an unreadable record %s', (stored) => {
    const storage = memoryStorage();
    storage.setItem(`test.code.${state}`, stored);
    expectInvalidState(() => codeFlow.take(storage, state));
    expect(storage.items.size).toBe(0);
  });

  it('keeps each kind of sign-in apart, so one kind of response never completes another', () => {
    const storage = memoryStorage();
    const implicit = createTransactionStore<{ nonce: string }>('test.implicit.');
    implicit.save(storage, state, { nonce: 'n' });
    expectInvalidState(() => codeFlow.take(storage, state));
    expect(implicit.take(storage, state)).toEqual({ nonce: 'n' });
  });

  it('drops a transaction that will never come back', () => {
    const storage = memoryStorage();
    codeFlow.save(storage, state, { verifier: 'v' });
    codeFlow.drop(storage, state);
    expect(storage.items.size).toBe(0);
  });
});
