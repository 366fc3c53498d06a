/**
 * A configuration that cannot be used: a missing file, invalid JSON, or a field that fails its schema.
 *
 * The message is one line that names the file or section and the field, so a CLI can print it as is
 * and exit 2.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_GATEHOUSE_CONFIG';

  constructor(
    message: string,
    /** Dotted path of the offending field (`clients.0.redirect_uris`), or `(root)`. */
    readonly field?: string,
  ) {
    super(message);
  }
}
