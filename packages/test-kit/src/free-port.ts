import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

// Below Linux's ephemeral range (32768–60999): a port the kernel hands out for `listen(0)` or for an
// outgoing connection's local end can be taken again by another test between our check and the
// server's listen (EADDRINUSE); a random port from this range is not handed out by the kernel.
const lowest = 20_000;
const highest = 32_000;

/** A TCP port free on 127.0.0.1 right now, for a server that must know its URL before it listens. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = randomInt(lowest, highest);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found between ${lowest} and ${highest}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
