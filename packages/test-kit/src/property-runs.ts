import type { Parameters } from 'fast-check';

/** The seed every property test uses unless `FC_SEED` says otherwise: runs are reproducible by default. */
const defaultSeed = 20_261_202;

/**
 * fast-check parameters for one property: a fixed seed (or `FC_SEED`), `FC_PATH` to replay one
 * shrunk counterexample, and a bounded number of runs (`FC_RUNS` overrides it, for a longer hunt).
 * fast-check prints the seed and path of a failure; `FC_SEED=<seed> FC_PATH=<path> npx vitest run
 * <file> -t '<test name>'` replays it (a path belongs to one property).
 *
 * @example fc.assert(fc.property(fc.string(), (s) => …), propertyRuns(500));
 */
export function propertyRuns<T>(numRuns: number): Parameters<T> {
  const seed = readInteger('FC_SEED') ?? defaultSeed;
  const runs = readInteger('FC_RUNS') ?? numRuns;
  const path = process.env.FC_PATH;
  return { seed, numRuns: runs, ...(path ? { path } : {}) };
}

function readInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer, got ${raw}`);
  return value;
}
