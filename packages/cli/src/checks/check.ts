/** One thing `gatehouse config check` verifies; `run` resolves with a short detail or throws why not. */
export interface Check {
  /** What is checked, as the line starts: `store`, `provider discovery`, `upstream github discovery`. */
  readonly name: string;
  run(): Promise<string>;
}

/** A check that found a problem of its own (not an error of a library it called). */
export class CheckFailedError extends Error {
  override readonly name = 'CheckFailedError';
  readonly code = 'ERR_GATEHOUSE_CHECK_FAILED';
}

/** A check that did not end in time. */
export class CheckTimeoutError extends Error {
  override readonly name = 'CheckTimeoutError';
  readonly code = 'ERR_GATEHOUSE_CHECK_TIMEOUT';
}

/**
 * `work`, or a {@link CheckTimeoutError} after `timeoutMs`. Work that ends after the deadline is
 * handed to `onLate` (to close a store it opened), so nothing stays open.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  timeoutMs: number,
  onLate: (value: T) => unknown = () => undefined,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new CheckTimeoutError(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
  });
  work.then(
    (value) => {
      if (late) onLate(value);
    },
    () => undefined,
  );
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
