/** Base class of every error the store raises on purpose. `code` is stable; messages are not. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  readonly code: string = 'ERR_STORE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The backing server cannot be reached, or did not answer within the configured timeout.
 *
 * Raised within a bounded time, never a hang. The store keeps reconnecting by itself, so the same
 * call may succeed later; an HTTP server maps this to 503 and fails closed.
 */
export class StoreUnavailableError extends StoreError {
  override readonly name = 'StoreUnavailableError';
  override readonly code = 'ERR_STORE_UNAVAILABLE';
}

/**
 * The caller passed something the store refuses: an invalid namespace, id, index, lock or counter
 * name, TTL or window, a value that is not JSON, or a value larger than the configured limit.
 */
export class StoreInputError extends StoreError {
  override readonly name = 'StoreInputError';
  override readonly code = 'ERR_STORE_INPUT';
}

/** The store was closed; no further calls are accepted. */
export class StoreClosedError extends StoreError {
  override readonly name = 'StoreClosedError';
  override readonly code = 'ERR_STORE_CLOSED';
}

/**
 * The database's schema was written by a newer Gatehouse than this one: starting against it could
 * corrupt what the newer one keeps there. Raised at open; upgrade Gatehouse.
 */
export class StoreSchemaTooNewError extends StoreError {
  override readonly name = 'StoreSchemaTooNewError';
  override readonly code = 'ERR_STORE_SCHEMA_TOO_NEW';

  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`store schema version ${found} is newer than this Gatehouse knows (${known}); upgrade Gatehouse`);
  }
}

/**
 * The database's schema is older than this Gatehouse needs, and the store was opened with
 * `migrate: 'check'` (servers that leave migrations to `gatehouse store migrate`).
 */
export class StoreSchemaOutdatedError extends StoreError {
  override readonly name = 'StoreSchemaOutdatedError';
  override readonly code = 'ERR_STORE_SCHEMA_OUTDATED';

  constructor(
    readonly found: number,
    readonly needed: number,
  ) {
    super(`store schema version ${found} is older than this Gatehouse needs (${needed}); run gatehouse store migrate`);
  }
}
