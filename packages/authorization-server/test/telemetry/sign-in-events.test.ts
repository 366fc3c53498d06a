import { createMetricsRegistry } from '@gatehouse/server-kit';
import { demoUser, signInAtLoginPage, TestBrowser } from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerSocial,
  authorizationUrl,
  type Federation,
  formEndingWith,
  redirectUri,
  sam,
  signInThrough,
  startFederation,
} from '../federation-harness.js';
import { type LogLine, type ObservedServer, observedServer } from './observed-server.js';

// Issue #17: the sign-in throttle and sign-ins at upstream providers as security events (see
// security-events.test.ts for the rest), over loopback HTTP.

describe('security events of the rate limits', () => {
  let observed: ObservedServer;
  beforeAll(async () => {
    observed = await observedServer({ rateLimits: { loginFailuresPerIp: 2, registrationsPerIp: 1 } });
  });
  afterAll(() => observed.server.close());

  it('a stranger guessing passwords from one address: rate_limit_refused for the login limit, counted', async () => {
    const { server } = observed;
    const guess = { email: demoUser.email, password: 'a guess at the password 123' };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await signInAtLoginPage(server, new TestBrowser(), guess)).status);
    expect(statuses.at(-1)).toBe(429);
    const refusals = observed.events('rate_limit_refused');
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals[0]).toMatchObject({ level: 40, limit: 'login', source_address: '127.0.0.1' });
    expect(await observed.metric('gatehouse_as_rate_limit_refusals_total', { limit: 'login' })).toBe(refusals.length);
    expect(JSON.stringify(observed.lines)).not.toContain(guess.password);
  });
});

describe('security events of sign-ins at upstream providers', () => {
  let federation: Federation;
  const lines: LogLine[] = [];
  const registry = createMetricsRegistry();
  const events = (name: string) => lines.filter((line) => line.event === name);
  beforeAll(async () => {
    federation = await startFederation({
      logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line) as LogLine) } },
      metricsRegistry: registry,
    });
  });
  afterAll(() => federation?.close());

  it('a sign-in through an upstream: sign_in_succeeded with method upstream and the local account id', async () => {
    const signedIn = await signInThrough(federation, 'social', sam.id);
    expect(events('sign_in_succeeded')).toEqual([
      expect.objectContaining({ level: 30, method: 'upstream', upstream: 'social', sub: signedIn.claims.sub }),
    ]);
    expect(await registry.getSingleMetricAsString('gatehouse_as_sign_ins_total')).toContain(
      'gatehouse_as_sign_ins_total{method="upstream",result="succeeded"} 1',
    );
  });

  it('a sign-in the upstream refused: sign_in_failed with upstream_refused', async () => {
    const browser = new TestBrowser();
    const login = await browser.follow(authorizationUrl(federation.issuer).url, redirectUri);
    const form = formEndingWith(await login.response.text(), login.url, '/upstream/social/start');
    const started = await browser.post(form.action, form.fields);
    await browser.navigate(await answerSocial(started.headers.get('location') as string, 'deny'));
    expect(events('sign_in_failed')).toEqual([
      expect.objectContaining({
        method: 'upstream',
        reason: 'upstream_refused',
        upstream: 'social',
        source_address: '127.0.0.1',
      }),
    ]);
  });
});
