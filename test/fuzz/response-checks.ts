import type { RawOutcome, RawRequest } from './raw-http.js';

/** Longest a server may take to answer one hostile request (issue 15 §6). */
export const answerWithinMs = 5_000;

/** What may never appear in a body: each is a sign that an exception, not the endpoint, answered. */
const leaks: readonly (readonly [string, RegExp])[] = [
  ['a stack trace', /\n\s+at [^\n]+[(\s][^\n]*:\d+:\d+\)?|\bat (?:async )?[\w$.<>]+ \([^)]*:\d+:\d+\)/],
  [
    'a file path',
    /(?:\/work\/|\/home\/|\/usr\/lib\/|\/tmp\/|file:\/\/|[A-Za-z]:\\\\)[^\s"'<]*|[\w-]+\.(?:ts|js|mjs|cjs):\d+/,
  ],
  ['node_modules', /node_modules/],
  ['a Fastify error code', /FST_ERR/],
  ['an exception class name', /\b[A-Z][A-Za-z]*(?:Error|Exception)\b/],
];

/** The rule each response is held to: an answer, in time, below 500, with nothing leaked. */
export function findProblems(outcome: RawOutcome): string[] {
  if (outcome.kind === 'timeout') return [`no answer within ${answerWithinMs} ms`];
  if (outcome.kind === 'no-answer') return [`the connection ended without an answer (${outcome.reason})`];
  const problems: string[] = [];
  if (outcome.status >= 500) problems.push(`status ${outcome.status}`);
  if (outcome.ms > answerWithinMs) problems.push(`answered after ${outcome.ms} ms`);
  const body = outcome.body.toString('latin1');
  for (const [what, pattern] of leaks) {
    const found = pattern.exec(body);
    if (found) problems.push(`${what} in the body: ${JSON.stringify(found[0].slice(0, 80))}`);
  }
  return problems;
}

/** A one-line account of an outcome: status and the body's `error` (or its start). */
export function summarizeOutcome(outcome: RawOutcome): string {
  if (outcome.kind !== 'answered') return outcome.kind;
  const text = outcome.body.toString('latin1');
  let code: string | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: unknown; reason?: unknown };
    code = [parsed.error, parsed.reason].filter((part) => typeof part === 'string').join('/') || undefined;
  } catch {
    code = undefined;
  }
  return `${outcome.status} ${code ?? JSON.stringify(text.slice(0, 120))}`;
}

/**
 * The exact request, to replay it by hand: method, URL, every header in order, the body's length and
 * its first bytes (Latin-1 in a JSON string, so control bytes stay visible).
 */
export function describeRequest(origin: string, request: RawRequest): string {
  const lines = [
    `${request.method} ${origin}${request.target.length > 600 ? `${request.target.slice(0, 600)}…(${request.target.length} bytes)` : request.target}`,
  ];
  for (const [name, value] of request.headers) {
    lines.push(
      `  ${name}: ${JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}…(${value.length} bytes)` : value)}`,
    );
  }
  if (request.body !== undefined) {
    lines.push(
      `  body (${request.body.length} bytes): ${JSON.stringify(request.body.subarray(0, 300).toString('latin1'))}`,
    );
  }
  return lines.join('\n');
}
