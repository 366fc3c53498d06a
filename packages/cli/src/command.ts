/** Where a command writes; tests pass their own. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); servers await it, then close. */
  stopSignal: Promise<string>;
  /** The whole of standard input, for `--password-stdin`. */
  readStdin: () => Promise<string>;
}

/** One `gatehouse` subcommand. `run` returns the exit code. */
export interface Command {
  /** Words after `gatehouse`, e.g. `['store', 'check']`. */
  readonly path: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text: usage line, flags with their defaults. */
  readonly help: string;
  run(args: readonly string[], io: Io): Promise<number>;
}

/** Exit codes shared by every command. */
export const exitCode = {
  ok: 0,
  /** The command ran and failed (a server unreachable, a check that did not pass). */
  failure: 1,
  /** Bad flags or a bad config file: nothing was done. */
  usage: 2,
} as const;

/** Bad flags: printed as one line, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'ERR_GATEHOUSE_USAGE';
}

/** A pino destination writing each log line through `io.stdout`, so the command's io decides where logs go. */
export function logStream(io: Pick<Io, 'stdout'>): { write: (line: string) => void } {
  return { write: (line) => io.stdout(line.trimEnd()) };
}
