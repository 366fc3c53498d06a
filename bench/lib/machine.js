import { cpus, loadavg, totalmem } from 'node:os';

/** One line naming the machine a result came from, for the top of every results file. */
export function machineLine() {
  const cpu = cpus();
  const model = cpu[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const memoryGiB = (totalmem() / 2 ** 30).toFixed(0);
  return `Machine: ${model}, ${cpu.length} cores, ${memoryGiB} GiB; Node.js ${process.version}; ${new Date().toISOString()}`;
}

/** The load averages when a run ended (other work on the machine moves the absolute figures). */
export function loadLine() {
  const [one, five, fifteen] = loadavg().map((value) => value.toFixed(2));
  return `Load average (uptime) at the end of the run: ${one}, ${five}, ${fifteen} (1, 5, 15 min) on ${cpus().length} cores.`;
}
