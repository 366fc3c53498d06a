import { type Command, exitCode } from '../command.js';
import { parseFlags } from '../flags.js';

/** Placeholder until the demo parts exist: says so plainly instead of pretending to start them. */
export const devCommand: Command = {
  path: ['dev'],
  summary: 'run the whole demo on localhost (authorization server, BFF + SPA, demo API)',
  help: `Usage: gatehouse dev

Runs every part of the demo in one process with the embedded SQLite store in ./.gatehouse/.
This is what \`npm start\` runs.

  -h, --help   this text`,

  async run(args, io) {
    const flags = parseFlags('dev', args, {});
    if (flags.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    io.stdout(
      [
        'Gatehouse dev: the demo servers are not part of this build yet.',
        'What works today: the store (`gatehouse store check --store sqlite:.gatehouse/dev.db`).',
        'Run `npx gatehouse --help` for the command list.',
      ].join('\n'),
    );
    return exitCode.ok;
  },
};
