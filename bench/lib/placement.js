// Where the benchmark's processes run: with taskset and at least two cores, the load generator
// (this process) on the first allowed core and every server process on the others, so autocannon
// and the systems under test do not take turns on one core. Redis and PostgreSQL are not ours to
// move and stay wherever the system runs them.
import { execFileSync, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let plan;

/**
 * Pins this process (every thread) to the first allowed core when it can, once, and prints what was
 * done; returns the plan `startServerProcess` follows.
 *
 * @returns {{ pinned: boolean, serverCores?: string, description: string }}
 */
export function placeLoadGenerator() {
  if (plan) return plan;
  const allowed = allowedCores();
  if (!allowed) plan = { pinned: false, description: 'not pinned: taskset is not available' };
  else if (allowed.length < 2)
    plan = { pinned: false, description: `not pinned: only ${allowed.length} core allowed (${allowed.join(',')})` };
  else {
    const [loadCore, ...serverCores] = allowed;
    execFileSync('taskset', ['-a', '-p', '-c', String(loadCore), String(process.pid)], { stdio: 'ignore' });
    plan = {
      pinned: true,
      serverCores: serverCores.join(','),
      description: `load generator pinned to core ${loadCore}, servers to core${serverCores.length > 1 ? 's' : ''} ${serverCores.join(',')} (taskset); Redis and PostgreSQL not pinned`,
    };
  }
  console.log(`placement: ${plan.description}`);
  return plan;
}

/**
 * Starts `module` (with `args`) in a child Node process with an IPC channel, on the server cores
 * when the plan pins. Its stdout is dropped (server logs), its stderr shown.
 *
 * @param {URL} module
 * @param {string[]} [args]
 * @param {{ env?: NodeJS.ProcessEnv }} [options]
 */
export function startServerProcess(module, args = [], options = {}) {
  const current = placeLoadGenerator();
  const stdio = ['ignore', 'ignore', 'inherit', 'ipc'];
  const env = options.env ?? process.env;
  if (!current.pinned) return fork(module, args, { stdio, env });
  // taskset execs node in its own place, so the child's pid is node's and the IPC channel is inherited.
  return spawn(
    'taskset',
    ['-c', current.serverCores, process.execPath, ...process.execArgv, fileURLToPath(module), ...args],
    { stdio, env },
  );
}

/** The first message a server process sends (its "ready" report), or its early exit as an error. */
export function firstMessage(child, name) {
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before it was ready`)));
  });
}

/** The cores this process may run on, from `taskset -p -c`; undefined without taskset. */
function allowedCores() {
  let output;
  try {
    output = execFileSync('taskset', ['-p', '-c', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
  // "pid 123's current affinity list: 0,2-3"
  const list = output.split(':').at(-1).trim();
  const cores = [];
  for (const part of list.split(',')) {
    const [from, to = from] = part.split('-').map(Number);
    for (let core = from; core <= to; core += 1) cores.push(core);
  }
  return cores.length > 0 && cores.every(Number.isInteger) ? cores : undefined;
}
