// Interleaved rounds with a median per target: the one way every benchmark here repeats its runs.
// On a shared machine the load drifts over a minute; one long run per target would hand the drift
// to whichever target ran then, while short runs with the targets interleaved spread it over all.

/**
 * Runs `measure(target, seconds)` for every target in turn, `rounds` times over, after one warm-up
 * run per target (JIT, connection pools — so order in the list does not matter). `check(target,
 * result, label)` sees every run, warm-ups included, and may throw or flag. Returns one entry per
 * target, in order: the target, its runs, and per numeric field the median and spread.
 *
 * @template T
 * @param {T[]} targets
 * @param {{ rounds: number, durationSeconds: number, warmUpSeconds?: number,
 *           measure: (target: T, seconds: number) => Promise<Record<string, number>>,
 *           check?: (target: T, result: Record<string, number>, label: string) => void,
 *           name?: (target: T) => string }} options
 */
export async function runRounds(targets, options) {
  const { rounds, durationSeconds, measure } = options;
  const warmUpSeconds = options.warmUpSeconds ?? 1;
  const check = options.check ?? (() => {});
  const name = options.name ?? ((target) => target.name);
  if (warmUpSeconds > 0) for (const target of targets) check(target, await measure(target, warmUpSeconds), 'warm-up');
  const runs = targets.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, target] of targets.entries()) {
      const result = await measure(target, durationSeconds);
      check(target, result, `round ${round + 1}`);
      runs[i].push(result);
    }
    console.log(`round ${round + 1} of ${rounds} done`);
  }
  return targets.map((target, i) => {
    const summary = { target, runs: runs[i], ...summarize(runs[i]) };
    console.log(`${name(target)}: ${withSpread(summary.stats.requestsPerSecond ?? Object.values(summary.stats)[0])}`);
    return summary;
  });
}

/**
 * Median, minimum and maximum of every numeric field across runs. With an even number of runs the
 * median is the upper of the two middle values (rounds default to an odd number).
 *
 * @param {Record<string, number>[]} runs
 * @returns {{ stats: Record<string, { median: number, min: number, max: number, count: number }> }}
 */
export function summarize(runs) {
  const stats = {};
  for (const field of Object.keys(runs[0] ?? {})) {
    const values = runs
      .map((run) => run[field])
      .filter((value) => typeof value === 'number')
      .sort((a, b) => a - b);
    if (values.length === 0) continue;
    stats[field] = {
      median: values[Math.floor(values.length / 2)],
      min: values[0],
      max: values.at(-1),
      count: values.length,
    };
  }
  return { stats };
}

/** `4846 (4700–4990)`: a median with the range across rounds, for the results tables. */
export function withSpread(stat) {
  if (!stat) return 'n/a';
  if (stat.count < 2) return String(stat.median);
  return `${stat.median} (${stat.min}–${stat.max})`;
}

/** The relative spread, (max − min) / median, as a percentage string: `±12 %` style context. */
export function spreadPercent(stat) {
  if (!stat || stat.median === 0) return 'n/a';
  return `${Math.round(((stat.max - stat.min) / stat.median) * 100)} %`;
}

/** Bench-wide round count and seconds per run from the environment, with each bench's defaults. */
export function roundSettings(defaults) {
  return {
    rounds: Number(process.env.BENCH_ROUNDS ?? defaults.rounds),
    durationSeconds: Number(process.env.BENCH_SECONDS ?? defaults.durationSeconds),
    warmUpSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? defaults.warmUpSeconds ?? 1),
  };
}
