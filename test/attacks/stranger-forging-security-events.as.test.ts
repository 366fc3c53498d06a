import { randomBytes } from 'node:crypto';
import { basicAuthorization, confidentialClient, listenAuthorizationServer, postForm } from '@gatehouse/test-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * A stranger writes into the authorization server's audit trail (the security-event log lines a
 * SIEM ingests) through every field it controls — the `client_id` of a client authentication, by
 * Basic, by form and as an unverified `client_assertion` subject; its `User-Agent`; an
 * `X-Forwarded-For` the server does not believe — hoping to forge another event (a
 * `sign_in_succeeded`), to overwrite a field (`event`, `level`, `source_address`) or to break the
 * line apart for a line-based reader. And it sends secrets where a careless line would keep them.
 * Each request makes at most one event line; every line is one JSON object with the catalogue's
 * fields; no secret it sent appears.
 */

interface LogLine {
  level: number;
  event?: string;
  msg: string;
  [field: string]: unknown;
}

const raw: string[] = [];
let server: Awaited<ReturnType<typeof listenAuthorizationServer>>;
beforeAll(async () => {
  server = await listenAuthorizationServer(
    {},
    { logger: { level: 'info', stream: { write: (line: string) => raw.push(line) } } },
  );
});
afterAll(() => server.close());
beforeEach(() => {
  raw.length = 0;
});

const forged = '","event":"sign_in_succeeded","sub":"admin","level":30,"source_address":"10.0.0.1';
const hostileIds = [
  forged,
  `web-app"}\n{"event":"sign_in_succeeded"`,
  'x\u2028{"event":"sign_in_succeeded"}\u2029y',
  '\u202egnp.exe',
  '\\","event":"x',
  'a'.repeat(255),
];

function lines(): LogLine[] {
  // One JSON object per physical line, whatever the stranger sent.
  return raw.flatMap((chunk) => chunk.split('\n').filter((line) => line !== '')).map((line) => JSON.parse(line));
}

const unassertedJwt = (sub: string) =>
  [
    Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url'),
    Buffer.from(JSON.stringify({ iss: sub, sub, aud: server.issuer, exp: 9999999999 })).toString('base64url'),
    randomBytes(32).toString('base64url'),
  ].join('.');

describe('a stranger writing into the authorization server’s security events', () => {
  it.each(hostileIds)('cannot forge or overwrite an event through a client_id: %j', async (clientId) => {
    const secret = `stranger-secret-${randomBytes(8).toString('hex')}`;
    const headers = { 'user-agent': forged, 'x-forwarded-for': '10.0.0.1' };
    const attempts = [
      postForm(
        server,
        `${server.issuer}/token`,
        { grant_type: 'client_credentials' },
        {
          ...headers,
          authorization: basicAuthorization(clientId, secret),
        },
      ),
      postForm(
        server,
        `${server.issuer}/token`,
        {
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: secret,
        },
        headers,
      ),
      postForm(
        server,
        `${server.issuer}/token`,
        {
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: unassertedJwt(clientId),
        },
        headers,
      ),
    ];
    for (const answer of await Promise.all(attempts)) {
      expect([400, 401]).toContain(answer.status);
      await answer.body?.cancel();
    }
    const logged = lines();
    const events = logged.filter((line) => line.event !== undefined);
    expect(events.length).toBeLessThanOrEqual(attempts.length);
    // An id with a control character is refused before it is looked up (and logged); any other is logged.
    if (!/[\u0000-\u001f\u007f-\u009f]/.test(clientId)) expect(events.length).toBeGreaterThan(0);
    for (const line of events) {
      expect(line.event).toBe('client_authentication_failed');
      expect(line.msg).toBe('client authentication failed');
      expect(line.level).toBe(40);
      expect(Object.keys(line).sort()).toEqual(
        expect.arrayContaining(['client_id', 'event', 'method', 'reason', 'source_address']),
      );
      expect(line.source_address).toBe('127.0.0.1');
      expect(line).not.toHaveProperty('sub');
    }
    expect(logged.some((line) => line.event === 'sign_in_succeeded')).toBe(false);
    expect(raw.join('')).not.toContain(secret);
    expect(raw.join('')).not.toContain('gnp.exe'.split('').reverse().join(''));
  });

  it('leaves no client secret in the lines of a real client’s failed attempts', async () => {
    const wrong = `${confidentialClient.client_secret}-but-wrong`;
    const answer = await postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials' },
      { authorization: basicAuthorization(confidentialClient.client_id, wrong) },
    );
    expect(answer.status).toBe(401);
    const [event] = lines().filter((line) => line.event === 'client_authentication_failed');
    expect(event).toMatchObject({ client_id: 'web-app', reason: 'invalid_credentials', method: 'client_secret_basic' });
    expect(raw.join('')).not.toContain(wrong);
    expect(raw.join('')).not.toContain(confidentialClient.client_secret);
  });
});
