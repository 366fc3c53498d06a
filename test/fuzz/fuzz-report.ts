import { appendFileSync } from 'node:fs';
import { type FuzzFailure, formatFailures } from './fuzz-run.js';
import { describeRequest, summarizeOutcome } from './response-checks.js';

/** A failure class whose fix is in progress elsewhere: reported on every run, not failed on. */
export interface KnownOpen {
  /** The issue-15 finding it belongs to (or why it belongs to none), and what it looks like. */
  finding: string;
  matches(failure: FuzzFailure): boolean;
}

/**
 * The failures that fail the test: those no known-open entry matches. The matched ones are printed,
 * one block per entry (its count and first request; every group with `verbose`), so the list can be
 * emptied as fixes land.
 */
export function withoutKnownOpen(
  failures: readonly FuzzFailure[],
  knownOpen: readonly KnownOpen[],
  origins: Readonly<Record<string, string>>,
  verbose: boolean,
): FuzzFailure[] {
  const unexpected: FuzzFailure[] = [];
  const matched = new Map<KnownOpen, FuzzFailure[]>();
  for (const failure of failures) {
    const entry = knownOpen.find((candidate) => candidate.matches(failure));
    if (entry) matched.set(entry, [...(matched.get(entry) ?? []), failure]);
    else unexpected.push(failure);
  }
  const blocks = [...matched].map(([entry, members]) => {
    const [first] = members as [FuzzFailure];
    const shown = verbose
      ? formatFailures(members, origins, 100)
      : describeRequest(origins[first.target] ?? '', first.request);
    return `known open (×${members.length}, not failed on): ${entry.finding}\n${shown}`;
  });
  if (blocks.length > 0) console.log(blocks.join('\n\n'));
  return unexpected;
}

/** Appends every failure to `file` as a JSON line: the summary, and the whole request for replay. */
export function writeReport(
  file: string,
  failures: readonly FuzzFailure[],
  origins: Readonly<Record<string, string>>,
): void {
  const lines = failures.map((failure) =>
    JSON.stringify({
      target: failure.target,
      route: failure.route,
      where: failure.where,
      problems: failure.problems,
      outcome: summarizeOutcome(failure.outcome),
      request: describeRequest(origins[failure.target] ?? '', failure.request),
      method: failure.request.method,
      requestTarget: failure.request.target,
      headers: failure.request.headers,
      body: failure.request.body?.subarray(0, 16_384).toString('latin1'), // cut at 16 KB
    }),
  );
  appendFileSync(file, lines.map((line) => `${line}\n`).join(''));
}
