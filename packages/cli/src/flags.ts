import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's flags strictly: an unknown flag, a missing value or a stray argument is a
 * {@link UsageError} naming it. `--help` is always accepted.
 */
export function parseFlags<O extends Options>(commandName: string, args: readonly string[], options: O) {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    return values as { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string } & { help?: boolean };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]?.replace(/\. To specify a positional.*$/, '');
    throw new UsageError(`gatehouse ${commandName}: ${message}`);
  }
}

/** The value of a required string flag, or a {@link UsageError} naming it. */
export function requireFlag(commandName: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`gatehouse ${commandName}: --${name} is required`);
  return value;
}
