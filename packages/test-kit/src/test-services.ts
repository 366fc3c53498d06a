import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/** The machine's services; CI points these at 127.0.0.1. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const postgresUrl = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const underCi = process.env.CI === 'true' || process.env.CI === '1';

/** A name unique to this test run, so parallel runs on one server never collide. */
export function runScopedName(prefix: string): string {
  return `${prefix}${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * Whether a service's suite should run. Under CI an unreachable service fails the run, naming it;
 * elsewhere the suite is skipped with a visible line.
 */
export async function requireService(name: string, url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  const reachable = await canConnect(hostname, Number(port));
  if (reachable) return true;
  const message = `${name} is not reachable at ${hostname}:${port}`;
  if (underCi) throw new Error(`${message}; under CI the ${name} store suite must run (start ${name}, or set its URL)`);
  console.warn(`SKIPPED: the ${name} store suite: ${message} (under CI=true this fails the run)`);
  return false;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
