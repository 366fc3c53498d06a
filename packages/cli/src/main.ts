#!/usr/bin/env node
import { runGatehouse } from './run-gatehouse.js';

// The first SIGINT/SIGTERM asks the running command to stop cleanly; a second one exits at once.
const stopSignal = new Promise<string>((resolve) => {
  let received = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      received += 1;
      if (received > 1) process.exit(130);
      resolve(signal);
    });
  }
});

try {
  process.exitCode = await runGatehouse(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    stopSignal,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  });
} catch (error) {
  // A bug, not bad input: say so in one line; the stack only when asked for.
  process.stderr.write(`gatehouse: unexpected error: ${(error as Error).message}\n`);
  if (process.env.GATEHOUSE_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
}
// Servers have closed by now; don't let a stray handle keep the process alive.
process.exit();
