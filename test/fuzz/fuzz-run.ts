import fc from 'fast-check';
import { type FuzzTarget, placeholders, type SessionValues } from './fuzz-targets.js';
import { type HostileVariant, hostileVariant, renderRequest } from './hostile-request.js';
import { type RawOutcome, type RawRequest, sendRaw } from './raw-http.js';
import { answerWithinMs, describeRequest, findProblems, summarizeOutcome } from './response-checks.js';
import { type Route, readRouteTable } from './route-table.js';

/** Sign in again this often: a variant may well have ended the session (a logout is a route too). */
const renewEvery = 400;

/**
 * The address case `i` is sent from: 127.0.0.2 to 127.0.0.251 in turn. Per-source rate limits then
 * slow the fuzzer no more than a crowd, so variants reach the code behind them; and 127.0.0.1, where
 * the renewing sign-ins come from, is never the address a flood of failures was counted against.
 */
export const fuzzSource = (i: number) => `127.0.0.${2 + (i % 250)}`;

/** One response that broke the rule, with everything needed to replay and group it. */
export interface FuzzFailure {
  target: FuzzTarget['name'];
  /** The route pattern the request was generated for (its method may be a deliberately wrong one). */
  route: string;
  request: RawRequest;
  outcome: RawOutcome;
  problems: string[];
  /** `case 412 of FUZZ_SEED=…`, or a regression case's name. */
  where: string;
}

export interface FuzzRunResult {
  cases: number;
  /** Route × method pairs read from Fastify; every one was sent at least `cases / pairs` rounded down. */
  pairs: number;
  failures: FuzzFailure[];
  /** How many answers per route and status (`POST /token 400`), to see how deep the variants got. */
  statuses: Map<string, number>;
}

/**
 * Fuzzes every route and method of one app: case `i` goes to pair `i mod pairs` with the `i`-th
 * variant fast-check generates from `seed`, so the same seed sends the same requests in the same
 * order. Runs until `maxCases` or `budgetMs`, whichever comes first. A failure is recorded, not
 * thrown, so one run lists every distinct failure (no shrinking: the exact request is the replay).
 */
export async function fuzzTarget(
  target: FuzzTarget,
  options: { seed: number; budgetMs: number; maxCases: number },
): Promise<FuzzRunResult> {
  const routes = readRouteTable(target.app);
  const pairs: [Route, string][] = routes.flatMap((route) =>
    route.methods.map((method): [Route, string] => [route, method]),
  );
  const failures: FuzzFailure[] = [];
  const statuses = new Map<string, number>();
  let cases = 0;
  const variants = new Map<Route, fc.Arbitrary<HostileVariant>>();
  const variantsFor = (route: Route) => {
    const known = variants.get(route) ?? hostileVariant(target, route);
    variants.set(route, known);
    return known;
  };
  await fc.assert(
    // `gen` draws inside the property, so each case draws for the route the walk has come to.
    fc.asyncProperty(fc.gen(), async (draw) => {
      const [route, method] = pairs[cases % pairs.length] as [Route, string];
      if (cases > 0 && cases % renewEvery === 0) await target.renew();
      const request = renderRequest(target, route, method, draw(variantsFor, route));
      const where = `case ${cases} of FUZZ_SEED=${options.seed}`;
      cases += 1;
      const { outcome, failure } = await check(target, route.url, request, where, fuzzSource(cases));
      if (failure) failures.push(failure);
      const key = `${request.method} ${route.url} ${outcome.kind === 'answered' ? outcome.status : outcome.kind}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      return true;
    }),
    {
      seed: options.seed,
      numRuns: options.maxCases,
      interruptAfterTimeLimit: options.budgetMs,
      markInterruptAsFailure: false,
    },
  );
  return { cases, pairs: pairs.length, failures, statuses };
}

/** Sends one request and holds its answer to the rule: the outcome, and the failure if it broke it. */
export async function check(
  target: FuzzTarget,
  route: string,
  request: RawRequest,
  where: string,
  source: string,
): Promise<{ outcome: RawOutcome; failure?: FuzzFailure }> {
  const sent = withSessionValues(request, target.session);
  const outcome = await sendRaw(target.port, sent, answerWithinMs, source);
  const problems = findProblems(outcome);
  if (problems.length === 0) return { outcome };
  return { outcome, failure: { target: target.name, route, request: sent, outcome, problems, where } };
}

/** The request with the session placeholders replaced by what they stand for now. */
function withSessionValues(request: RawRequest, session: SessionValues): RawRequest {
  const replace = (text: string) =>
    text
      .replaceAll(placeholders.cookie, session.cookie)
      .replaceAll(placeholders.csrf, session.csrf)
      .replaceAll(placeholders.interaction, session.interaction);
  const body = request.body?.toString('latin1');
  return {
    method: request.method,
    target: replace(request.target),
    headers: request.headers.map(([name, value]) => [name, replace(value)] as const),
    body: body === undefined || !body.includes('__FUZZ_') ? request.body : Buffer.from(replace(body), 'latin1'),
  };
}

/**
 * Failures grouped by what went wrong where (method, route, problems, status and error code), each
 * group with its count and its first request in full, for an assertion message or a report.
 */
export function formatFailures(
  failures: readonly FuzzFailure[],
  origins: Readonly<Record<string, string>>,
  limit = 40,
): string {
  const groups = new Map<string, FuzzFailure[]>();
  for (const failure of failures) {
    const key = `${failure.target} ${failure.request.method} ${failure.route} → ${summarizeOutcome(failure.outcome)}; ${failure.problems.map((p) => p.replace(/:.*$/, '')).join('; ')}`;
    groups.set(key, [...(groups.get(key) ?? []), failure]);
  }
  const lines = [...groups].slice(0, limit).map(([key, members]) => {
    const first = members[0] as FuzzFailure;
    return `■ ${key} (×${members.length})\n  ${first.where}; ${first.problems.join('; ')}\n${describeRequest(origins[first.target] ?? '', first.request)}`;
  });
  if (groups.size > limit) lines.push(`… and ${groups.size - limit} more groups`);
  return lines.join('\n');
}
