import { migrateStore, type SchemaMigrationResult, StoreError, type StoreLocation } from '@gatehouse/store';
import { Type } from '@sinclair/typebox';
import { type Command, exitCode, UsageError } from '../command.js';
import { parseFlags } from '../flags.js';
import { loadConfig } from '../load-config.js';
import { storeUrlSchema } from './store-check.js';

// Any part's config names its store in `store`: one URL, or the authorization server's
// { durable, ephemeral } pair, each migrated. The rest of the file is the part's own command's to check.
const storeMigrateConfigSchema = Type.Object(
  {
    store: Type.Union([
      storeUrlSchema,
      Type.Object({ durable: storeUrlSchema, ephemeral: storeUrlSchema }, { additionalProperties: false }),
    ]),
  },
  { additionalProperties: true },
);

function describeResult(result: SchemaMigrationResult): string {
  const what =
    result.from === result.to
      ? `at version ${result.to}, up to date`
      : `migrated from version ${result.from} to ${result.to}`;
  return `${result.backend} store schema ${what}`;
}

export const storeMigrateCommand: Command = {
  path: ['store', 'migrate'],
  summary: 'bring a store’s schema up to date (idempotent; safe from several instances at once)',
  help: `Usage: gatehouse store migrate (--config FILE | --store URL)

Applies the store schema migrations this Gatehouse knows and reports each database's version
before and after. Running it again changes nothing; several runs at once apply each migration
once (PostgreSQL takes an advisory lock, SQLite one immediate transaction). A database at a newer
version than this Gatehouse knows is refused and left unchanged. Run it before starting servers
configured with "storeMigration": "check" (a rolling upgrade: migrate first, then replace
instances one by one).

  --config FILE   a Gatehouse config file; its "store" field is used (both sides of
                  { "durable", "ephemeral" })
  --store URL     sqlite:PATH, redis://HOST:PORT or postgres://USER@HOST/DB
  -h, --help      this text

Exit codes: 0 up to date, 1 store unreachable or newer than this Gatehouse, 2 bad flags or config.`,

  async run(args, io) {
    const flags = parseFlags('store migrate', args, { config: { type: 'string' }, store: { type: 'string' } });
    if (flags.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    if ((flags.config === undefined) === (flags.store === undefined)) {
      throw new UsageError('gatehouse store migrate: give exactly one of --config FILE or --store URL');
    }
    const location: StoreLocation =
      flags.config !== undefined
        ? (await loadConfig(flags.config, storeMigrateConfigSchema)).store
        : (flags.store as string);
    try {
      const results = await migrateStore(location);
      if (results.length === 0) io.stdout('memory store: no schema to migrate');
      for (const result of results) io.stdout(describeResult(result));
      return exitCode.ok;
    } catch (error) {
      if (error instanceof TypeError || error instanceof StoreError) {
        io.stderr(`gatehouse store migrate: ${error.message}`);
        return exitCode.failure;
      }
      throw error;
    }
  },
};
