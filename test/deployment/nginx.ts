import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** Debian's nginx (`apt-get install nginx`); `NGINX_PATH` points elsewhere. */
export const nginxPath = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

const exampleDir = new URL('../../examples/deployment/', import.meta.url).pathname;
/** The files of the example, copied as they are except for `nginx.conf`'s addresses. */
const exampleFiles = ['nginx.conf', 'gatehouse-proxy.conf', 'gatehouse-tls.conf', 'gatehouse-private.conf'] as const;

/** Where the example's servers are on loopback, in place of its production addresses. */
export interface LoopbackTopology {
  /** nginx's https port (the example's 443) and plain http port (its 80). */
  httpsPort: number;
  httpPort: number;
  /** The two BFF instances' ports (the example's 10.0.1.11:3000 and 10.0.1.12:3000). */
  bffPorts: readonly [number, number];
  /** The authorization server's port (the example's 10.0.1.21:4000). */
  asPort: number;
  certPath: string;
  keyPath: string;
}

/**
 * The example's nginx.conf on loopback: only addresses, names, certificate paths and the number of
 * workers change, so what the test exercises is the example itself. The app's `app.example.com` is
 * `localhost` and the provider's `login.example.com` is `127.0.0.1`, one port for both as in production
 * (nginx picks the server block by Host). Debian's build keeps its temporary files under
 * /var/lib/nginx, which an unprivileged run cannot write, so they move into `dir` too.
 */
export function renderLoopbackConfig(dir: string, topology: LoopbackTopology): void {
  for (const file of exampleFiles) {
    let text = readFileSync(join(exampleDir, file), 'utf8');
    if (file === 'nginx.conf') text = loopbackNginxConf(text, dir, topology);
    writeFileSync(join(dir, file), text);
  }
}

function loopbackNginxConf(text: string, dir: string, topology: LoopbackTopology): string {
  const replacements: [string | RegExp, string][] = [
    ['worker_processes auto;', 'worker_processes 1;'],
    ['server 10.0.1.11:3000', `server 127.0.0.1:${topology.bffPorts[0]}`],
    ['server 10.0.1.12:3000', `server 127.0.0.1:${topology.bffPorts[1]}`],
    ['server 10.0.1.21:4000', `server 127.0.0.1:${topology.asPort}`],
    [/listen 443 ssl;/g, `listen 127.0.0.1:${topology.httpsPort} ssl;`],
    [/listen 80;/g, `listen 127.0.0.1:${topology.httpPort};`],
    [/\/etc\/nginx\/tls\/[a-z.]+\.crt/g, topology.certPath],
    [/\/etc\/nginx\/tls\/[a-z.]+\.key/g, topology.keyPath],
    [/app\.example\.com/g, 'localhost'],
    [/login\.example\.com/g, '127.0.0.1'],
    [
      'http {',
      `http {\n${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((kind) => `    ${kind}_temp_path ${join(dir, `${kind}-temp`)};`)
        .join('\n')}`,
    ],
  ];
  for (const [from, to] of replacements) {
    const next = text.replace(from, to);
    // The example changed under the test: say which line no longer matches.
    if (next === text) throw new Error(`examples/deployment/nginx.conf no longer contains ${String(from)}`);
    text = next;
  }
  return text;
}

export interface RunningNginx {
  stop(): Promise<void>;
}

/** Runs nginx in the foreground with `dir` as its prefix (pid and error log there), until it listens on `port`. */
export async function startNginx(dir: string, port: number): Promise<RunningNginx> {
  const errorLog = join(dir, 'error.log');
  const child = spawn(
    nginxPath,
    [
      '-p',
      dir,
      '-c',
      join(dir, 'nginx.conf'),
      '-g',
      `daemon off; pid ${join(dir, 'nginx.pid')}; error_log ${errorLog} warn;`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    const early = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('running'), 50))]);
    if (early !== 'running' || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '';
      throw new Error(`nginx did not start (exit ${String(early)}): ${stderr}${log}`.trim());
    }
  }
  return { stop: () => stopNginx(child, exited) };
}

/** SIGQUIT is nginx's graceful stop; SIGKILL if it has not gone within 5 s. */
async function stopNginx(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGQUIT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
