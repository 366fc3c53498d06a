/** One sample line of a Prometheus text exposition: `name{label="value",…} number`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The samples of a Prometheus text exposition (format 0.0.4), comments skipped. Strict enough to
 * fail a test on a malformed line: a metric name or label that breaks the format throws.
 */
export function parseExposition(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    samples.push({ name: match[1] as string, labels: parseLabels(match[2] ?? '', line), value: Number(match[3]) });
  }
  return samples;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    labels[match[1] as string] = (match[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    consumed = (match.index ?? 0) + match[0].length;
  }
  if (consumed !== text.length) throw new Error(`malformed labels: ${line}`);
  return labels;
}

/**
 * The value of the sample named `name` whose labels include `labels`, summed over the samples that
 * match (0 when none does).
 *
 * @example
 * expect(sampleValue(text, 'gatehouse_bff_sign_outs_total', { cause: 'logout' })).toBe(1);
 */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number {
  return parseExposition(text)
    .filter((sample) => sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v))
    .reduce((sum, sample) => sum + sample.value, 0);
}
