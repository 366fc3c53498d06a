import { randomBytes } from 'node:crypto';
import { secretString } from '@gatehouse/config';
import { openStore, StoreError } from '@gatehouse/store';
import { Type } from '@sinclair/typebox';
import { type Command, exitCode, UsageError } from '../command.js';
import { parseFlags } from '../flags.js';
import { loadConfig } from '../load-config.js';

// A secret field, so { "env": … } or { "file": … } works here as in the part's own config.
export const storeUrlSchema = secretString({
  pattern: '^(memory|sqlite:.+|rediss?://.+|postgres(ql)?://.+)$',
  description: 'memory, sqlite:PATH, redis://… or postgres://…',
});

// Any part's config file names its store in `store`; this command reads that field and ignores the
// rest, which the part's own command checks.
const storeCheckConfigSchema = Type.Object({ store: storeUrlSchema }, { additionalProperties: true });

export const storeCheckCommand: Command = {
  path: ['store', 'check'],
  summary: 'connect to a store, create its schema if needed, and check a write, read and take',
  help: `Usage: gatehouse store check (--config FILE | --store URL)

Opens the store, runs its migrations, writes a probe entry, reads it back, takes it, and reports
the backend, the round-trip time and the number of entries held.

  --config FILE   a Gatehouse config file; its "store" field is used
  --store URL     memory, sqlite:PATH, redis://HOST:PORT or postgres://USER@HOST/DB
  -h, --help      this text

Exit codes: 0 the store works, 1 it does not, 2 bad flags or config.`,

  async run(args, io) {
    const flags = parseFlags('store check', args, { config: { type: 'string' }, store: { type: 'string' } });
    if (flags.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    if ((flags.config === undefined) === (flags.store === undefined)) {
      throw new UsageError('gatehouse store check: give exactly one of --config FILE or --store URL');
    }
    const url =
      flags.config !== undefined ? (await loadConfig(flags.config, storeCheckConfigSchema)).store : flags.store;
    try {
      const started = performance.now();
      const store = await openStore(url as string);
      try {
        const id = randomBytes(16).toString('base64url');
        await store.put('gatehouse_check', id, { probe: true }, { ttlSeconds: 60 });
        const read = await store.get('gatehouse_check', id);
        const taken = await store.take('gatehouse_check', id);
        const again = await store.take('gatehouse_check', id);
        if (read === undefined || taken === undefined || again !== undefined) {
          io.stderr(`store check failed: the ${store.backend} store did not return what was written`);
          return exitCode.failure;
        }
        const elapsedMs = (performance.now() - started).toFixed(1);
        io.stdout(
          `${store.backend} store OK: open + write + read + take in ${elapsedMs} ms; ${await store.countEntries()} entries held`,
        );
        return exitCode.ok;
      } finally {
        await store.close();
      }
    } catch (error) {
      if (error instanceof TypeError || error instanceof StoreError) {
        io.stderr(`store check failed: ${error.message}`);
        return exitCode.failure;
      }
      throw error;
    }
  },
};
