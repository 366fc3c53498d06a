import { parseConfig, readConfigFile } from '@gatehouse/config';
import type { Static, TSchema } from '@sinclair/typebox';

/**
 * The one way every command reads its `--config FILE`: parse the JSON, apply the schema's typed
 * defaults, and refuse the first bad field with a one-line `ConfigError` (`FILE: field: expected …`),
 * which `main` prints before exiting 2.
 */
export async function loadConfig<S extends TSchema>(path: string, schema: S): Promise<Readonly<Static<S>>> {
  return parseConfig(schema, await readConfigFile(path), path);
}
