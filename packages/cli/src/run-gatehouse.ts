import { ConfigError } from '@gatehouse/config';
import { type Command, exitCode, type Io, UsageError } from './command.js';
import { commands } from './commands/index.js';

const overview = () =>
  [
    'Usage: gatehouse <command> [flags]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.path.join(' ').padEnd(16)} ${command.summary}`),
    '',
    'Run `gatehouse <command> --help` for its flags.',
    'Exit codes: 0 success, 1 failure, 2 bad flags or config.',
  ].join('\n');

/** Finds the command whose path the arguments start with; the longest path wins. */
function findCommand(args: readonly string[]): Command | undefined {
  return [...commands]
    .sort((a, b) => b.path.length - a.path.length)
    .find((command) => command.path.every((word, i) => args[i] === word));
}

/**
 * Runs `gatehouse` with the given arguments (without `node` and the script) and returns the exit
 * code. Usage and config errors print one line and return 2; nothing else is caught here.
 */
export async function runGatehouse(args: readonly string[], io: Io): Promise<number> {
  const first = args[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(overview());
    return first === undefined ? exitCode.usage : exitCode.ok;
  }
  const command = findCommand(args);
  if (!command) {
    const group = commands.filter((c) => c.path[0] === first);
    const hint = group.length > 0 ? `; try: ${group.map((c) => `gatehouse ${c.path.join(' ')}`).join(', ')}` : '';
    io.stderr(`gatehouse: unknown command '${args.slice(0, 2).join(' ')}'${hint}. Run gatehouse --help for the list.`);
    return exitCode.usage;
  }
  try {
    return await command.run(args.slice(command.path.length), io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr(error.message);
      return exitCode.usage;
    }
    throw error;
  }
}
