import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@gatehouse/test-kit';

/** A throwaway three-master Redis Cluster on loopback, started from the machine's redis-server. */
export interface LocalRedisCluster {
  seedUrl: string;
  stop(): Promise<void>;
}

export function hasRedisBinaries(): boolean {
  return ['redis-server', 'redis-cli'].every(
    (binary) => spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0,
  );
}

export async function startRedisCluster(): Promise<LocalRedisCluster> {
  const folder = mkdtempSync(join(tmpdir(), 'gatehouse-redis-cluster-'));
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const servers: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(folder, `nodes-${port}.conf`),
        '--dir',
        folder,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  const stop = async () => {
    for (const server of servers) server.kill('SIGKILL');
    await sleep(50);
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    for (const port of ports) await waitFor(() => ping(port), `redis-server on ${port}`);
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await waitFor(
      () => ports.every((port) => clusterInfo(port).includes('cluster_state:ok')),
      'cluster_state:ok on every node',
    );
    return { seedUrl: `redis://127.0.0.1:${ports[0]}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function ping(port: number): boolean {
  return spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
}

function clusterInfo(port: number): string {
  return spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).stdout;
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
