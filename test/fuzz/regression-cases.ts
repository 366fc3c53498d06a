import type { FuzzTarget, FuzzTargets } from './fuzz-targets.js';
import type { RawRequest } from './raw-http.js';

/** A hostile request that once answered 5xx or leaked, replayed on every run (issue 15 §4). */
export interface RegressionCase {
  name: string;
  target: keyof Omit<FuzzTargets, 'close'>;
  build(target: FuzzTarget): RawRequest;
  /** Text the answer must not echo (a path or a content type the caller sent). */
  mustNotEcho?: string;
}

const form = (fields: string) => Buffer.from(fields, 'latin1');
const formHeaders = (...extra: [string, string][]): [string, string][] => [
  ['Content-Type', 'application/x-www-form-urlencoded'],
  ...extra,
];
const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'latin1').toString('base64')}`;
/** A real value of the target's for a parameter (placeholders are replaced when sent). */
const known = (target: FuzzTarget, name: string) => encodeURIComponent(target.knownValues[name]?.[0] ?? '');
const cookie = (target: FuzzTarget): [string, string] => ['Cookie', target.cookies[0] ?? ''];
const redirect = (target: FuzzTarget) => known(target, 'redirect_uri');
const longId = 'c'.repeat(600);

/** C0 and DEL, as the reproductions sent them, percent-encoded in a form or a query. */
const controls = ['%00', '%01', '%1F', '%7F'];

export const regressionCases: readonly RegressionCase[] = [
  ...controls.flatMap((control): RegressionCase[] => [
    {
      name: `AS /authorize with ${control} in client_id`,
      target: 'authorizationServer',
      build: (t) => ({
        method: 'GET',
        target: `/authorize?client_id=web${control}app&redirect_uri=${redirect(t)}&response_type=code&scope=openid`,
        headers: [],
      }),
    },
    {
      name: `AS /token with ${control} in client_id`,
      target: 'authorizationServer',
      build: () => ({
        method: 'POST',
        target: '/token',
        headers: formHeaders(),
        body: form(`grant_type=client_credentials&client_id=web${control}app&client_secret=x`),
      }),
    },
    {
      name: `AS /revoke with ${control} in client_id`,
      target: 'authorizationServer',
      build: () => ({
        method: 'POST',
        target: '/revoke',
        headers: formHeaders(),
        body: form(`token=x&client_id=web${control}app&client_secret=x`),
      }),
    },
    {
      name: `AS /logout with ${control} in client_id`,
      target: 'authorizationServer',
      build: (t) => ({ method: 'GET', target: `/logout?client_id=web${control}app`, headers: [cookie(t)] }),
    },
    {
      name: `AS /logout/confirm with ${control} in client_id`,
      target: 'authorizationServer',
      build: (t) => ({
        method: 'POST',
        target: '/logout/confirm',
        headers: formHeaders(cookie(t), ['Origin', t.origin]),
        body: form(`csrf=${known(t, 'csrf')}&client_id=web${control}app`),
      }),
    },
    {
      name: `AS /logged-out with ${control} in client_id`,
      target: 'authorizationServer',
      build: () => ({ method: 'GET', target: `/logged-out?client_id=web${control}app`, headers: [] }),
    },
    {
      name: `AS /login with ${control} in email`,
      target: 'authorizationServer',
      build: (t) => ({
        method: 'POST',
        target: '/login',
        headers: formHeaders(cookie(t), ['Origin', t.origin]),
        body: form(
          `csrf=${known(t, 'csrf')}&interaction=${known(t, 'interaction')}&email=alice${control}%40example.com&password=x`,
        ),
      }),
    },
    {
      name: `AS /register with ${control} in email`,
      target: 'authorizationServer',
      build: (t) => ({
        method: 'POST',
        target: '/register',
        headers: formHeaders(cookie(t), ['Origin', t.origin]),
        body: form(`csrf=${known(t, 'csrf')}&email=new${control}%40example.com&password=a-long-enough-password&name=N`),
      }),
    },
    {
      name: `AS /one-time-code with ${control} in audience_client_id`,
      target: 'authorizationServer',
      build: (t) => ({
        method: 'POST',
        target: '/one-time-code',
        headers: formHeaders(['Authorization', t.authorizations[0] ?? '']),
        body: form(`token=${known(t, 'token')}&audience_client_id=spa${control}`),
      }),
    },
    {
      name: `AS /token with ${control} in the Basic user name`,
      target: 'authorizationServer',
      build: () => ({
        method: 'POST',
        target: '/token',
        headers: formHeaders(['Authorization', basic(`web${control}app:secret`)]),
        body: form('grant_type=client_credentials'),
      }),
    },
  ]),
  {
    name: 'AS /token with a raw control byte in the Basic user name',
    target: 'authorizationServer',
    build: () => ({
      method: 'POST',
      target: '/token',
      headers: formHeaders(['Authorization', basic('web\x01app:secret')]),
      body: form('grant_type=client_credentials'),
    }),
  },
  {
    name: 'AS /authorize with a 600-character client_id',
    target: 'authorizationServer',
    build: (t) => ({
      method: 'GET',
      target: `/authorize?client_id=${longId}&redirect_uri=${redirect(t)}&response_type=code`,
      headers: [],
    }),
  },
  {
    name: 'AS /logout with a 600-character client_id',
    target: 'authorizationServer',
    build: (t) => ({ method: 'GET', target: `/logout?client_id=${longId}`, headers: [cookie(t)] }),
  },
  {
    name: 'AS /logout/confirm with a 600-character client_id',
    target: 'authorizationServer',
    build: (t) => ({
      method: 'POST',
      target: '/logout/confirm',
      headers: formHeaders(cookie(t), ['Origin', t.origin]),
      body: form(`csrf=${known(t, 'csrf')}&client_id=${longId}`),
    }),
  },
  {
    name: 'AS /logged-out with a 600-character client_id',
    target: 'authorizationServer',
    build: () => ({ method: 'GET', target: `/logged-out?client_id=${longId}`, headers: [] }),
  },
  ...['a%zzb', '%C0%AF', '%', '%E0%80%AF'].map(
    (days): RegressionCase => ({
      name: `BFF proxied query with ${days}`,
      target: 'bff',
      build: (t) => ({
        method: 'GET',
        target: `/api/weatherforecast?days=${days}`,
        headers: [cookie(t), ['x-csrf', '1']],
      }),
    }),
  ),
  {
    name: 'BFF proxied 1 MB upload with Expect: 100-continue',
    target: 'bff',
    build: (t) => ({
      method: 'POST',
      target: '/api/todos',
      headers: [cookie(t), ['x-csrf', '1'], ['Content-Type', 'application/json'], ['Expect', '100-continue']],
      body: Buffer.from(JSON.stringify({ title: 'x'.repeat(1024 * 1024) })),
    }),
  },
  {
    name: 'BFF proxied 1 MB upload the upstream refuses early with 413',
    target: 'bff',
    build: (t) => ({
      method: 'POST',
      target: '/api/todos',
      headers: [cookie(t), ['x-csrf', '1'], ['Content-Type', 'application/json']],
      body: Buffer.from(JSON.stringify({ title: 'x'.repeat(1024 * 1024) })),
    }),
  },
  {
    name: 'demo API unknown route',
    target: 'demoApi',
    build: (t) => ({ method: 'GET', target: '/x-fuzz-probe', headers: [['Authorization', t.authorizations[0] ?? '']] }),
    mustNotEcho: 'x-fuzz-probe',
  },
  {
    name: 'demo API undecodable path parameter',
    target: 'demoApi',
    build: (t) => ({
      method: 'DELETE',
      target: '/todos/%zzfuzz',
      headers: [['Authorization', t.authorizations[0] ?? '']],
    }),
    mustNotEcho: '%zzfuzz',
  },
  {
    name: 'demo API malformed JSON',
    target: 'demoApi',
    build: (t) => ({
      method: 'POST',
      target: '/todos',
      headers: [
        ['Authorization', t.authorizations[0] ?? ''],
        ['Content-Type', 'application/json'],
      ],
      body: Buffer.from('{"title": fuzz'),
    }),
    mustNotEcho: 'fuzz',
  },
  {
    name: 'demo API form body to a JSON endpoint',
    target: 'demoApi',
    build: (t) => ({
      method: 'POST',
      target: '/todos',
      headers: [
        ['Authorization', t.authorizations[0] ?? ''],
        ['Content-Type', 'application/x-fuzz-form'],
      ],
      body: Buffer.from('title=x'),
    }),
    mustNotEcho: 'x-fuzz-form',
  },
];
