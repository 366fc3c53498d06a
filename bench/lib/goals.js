// Ratios between targets measured in the same run, and goals on them as PASS/FAIL lines.

/**
 * The ratio a/b of one field, round by round: the rounds interleave the targets, so the two runs of
 * one round were measured close together and their ratio carries less of the machine's drift than
 * a ratio of medians. Returns the median and range of the per-round ratios, two decimals.
 *
 * @param {{ runs: Record<string, number>[] }} a
 * @param {{ runs: Record<string, number>[] }} b
 */
export function ratioByRound(a, b, field = 'requestsPerSecond') {
  const values = a.runs
    .map((run, i) => run[field] / b.runs[i][field])
    .filter((value) => Number.isFinite(value))
    .sort((x, y) => x - y);
  const round2 = (value) => Math.round(value * 100) / 100;
  return {
    median: round2(values[Math.floor(values.length / 2)] ?? Number.NaN),
    min: round2(values[0] ?? Number.NaN),
    max: round2(values.at(-1) ?? Number.NaN),
    count: values.length,
  };
}

/** `1.62× (1.50–1.71)`. */
export function formatRatio(stat) {
  const fixed = (value) => value.toFixed(2);
  return stat.count < 2 ? `${fixed(stat.median)}×` : `${fixed(stat.median)}× (${fixed(stat.min)}–${fixed(stat.max)})`;
}

/**
 * One goal on a ratio: `PASS  AS on PG+Redis / oidc-provider on Redis, client_credentials: 1.62× (goal ≥ 1.5×)`.
 * Printed at once; returns the line and whether it passed, for the results file.
 *
 * @param {string} name
 * @param {{ median: number, min: number, max: number, count: number }} stat
 * @param {number} atLeast
 */
export function goal(name, stat, atLeast) {
  const passed = stat.median >= atLeast;
  const line = `${passed ? 'PASS' : 'FAIL'}  ${name}: ${formatRatio(stat)} (goal ≥ ${atLeast}×)`;
  console.log(line);
  return { passed, line };
}
