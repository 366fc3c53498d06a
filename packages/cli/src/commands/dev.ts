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
        'Gatehouse dev: the all-in-one demo needs the authorization server, which is not built yet.',
        'What runs today: `gatehouse bff --config FILE` against any OpenID provider (docs/bff.md),',
        'the resource-server middleware and demo API (docs/resource-server.md), the browser SDK',
        '(docs/browser.md), and `gatehouse store check --store sqlite:.gatehouse/dev.db`.',
      ].join('\n'),
    );
    return exitCode.ok;
  },
};
