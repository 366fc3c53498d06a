import { openRedisStore } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  basicAuthorization,
  cookieValue,
  listenAuthorizationServer,
  parseForm,
  redisUrl,
  requireService,
  runScopedName,
  sessionCookie,
} from '@gatehouse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A stranger with no credentials floods the authorization server: wrong client secrets for a client
 * id (which is public), password guesses for a user's account, guesses sent all at once, and
 * registrations (an argon2id hash each). Every limit must hold under concurrency — counted before
 * the expensive check — and none may be turned against the real client or user: valid credentials
 * from another address are never refused because the stranger failed, a public client cannot be
 * locked at all, and an account's sign-in slows down but never locks.
 *
 * The server sits behind a trusted proxy (`trustedProxies: 127.0.0.1`), so each request's
 * `X-Forwarded-For` is its source address, as `request.ip` reports it.
 */

const stranger = '203.0.113.66';
const realClientHost = '198.51.100.7';
const alicesLaptop = '192.0.2.10';

const rightSecret = 'web-app-secret-0123456789abcdefghij';
const wrongSecret = 'wrong-secret-0123456789abcdefghijklmnop';
const alice = { email: 'alice@example.com', password: 'correct horse battery staple' };

let server: AuthorizationServerUnderTest;
afterEach(async () => {
  await server?.close();
});

async function start(rateLimits: Record<string, unknown> = {}): Promise<AuthorizationServerUnderTest> {
  server = await listenAuthorizationServer({ trustedProxies: ['127.0.0.1'], rateLimits });
  return server;
}

function post(path: string, from: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${server.issuer}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A client-credentials request from `from`, with Basic credentials for web-app. */
function clientCredentials(from: string, secret: string) {
  return post(
    '/token',
    from,
    { grant_type: 'client_credentials' },
    { authorization: basicAuthorization('web-app', secret) },
  );
}

/** A browser at `from` with the login page's form (CSRF cookie and token) ready to post. */
async function loginFormAt(from: string) {
  const page = await fetch(`${server.issuer}/login`, { headers: { 'x-forwarded-for': from } });
  const cookie = page.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const { fields } = parseForm(await page.text(), `${server.issuer}/login`);
  return (credentials: { email: string; password: string }) =>
    post('/login', from, { ...fields, ...credentials }, { cookie });
}

async function isWrongPasswordPage(response: Response): Promise<boolean> {
  return (await response.clone().text()).includes('Wrong email or password');
}

function retryAfter(response: Response): number {
  const seconds = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(seconds)).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(1);
  return seconds;
}

describe('a stranger flooding client authentication', () => {
  it('cannot lock the real client out: its right secret still works from its own address', async () => {
    await start();
    for (let i = 0; i < 60; i += 1)
      expect([401, 429]).toContain((await clientCredentials(stranger, wrongSecret)).status);
    expect((await clientCredentials(stranger, wrongSecret)).status).toBe(429);

    const real = await clientCredentials(realClientHost, rightSecret);
    expect(real.status).toBe(200);
    expect(await real.json()).toHaveProperty('access_token');
  });

  it('is refused with 429 and Retry-After from their own address, even when they then guess right', async () => {
    await start({ clientAuthFailuresPerClient: 3, windowSeconds: 60 });
    for (let i = 0; i < 3; i += 1) expect((await clientCredentials(stranger, wrongSecret)).status).toBe(401);
    // Answering a right guess would make the limit an oracle: past it, nothing is checked.
    const blocked = await clientCredentials(stranger, rightSecret);
    expect(blocked.status).toBe(429);
    expect(retryAfter(blocked)).toBeLessThanOrEqual(60);
    expect(await blocked.json()).toMatchObject({ error: 'invalid_client' });
    server.clock.advance(61);
    expect((await clientCredentials(stranger, rightSecret)).status).toBe(200);
  });

  it('cannot block a public client by posting a client_secret for it, even from the same address', async () => {
    await start({ clientAuthFailuresPerClient: 3 });
    for (let i = 0; i < 10; i += 1) {
      const response = await post('/token', stranger, {
        grant_type: 'refresh_token',
        refresh_token: 'guess',
        client_id: 'spa',
        client_secret: wrongSecret,
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    }
    // The SPA, authenticating as itself (`none`), reaches its grant: the refresh token is what fails.
    const spa = await post('/token', stranger, { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'spa' });
    expect(spa.status).toBe(400);
    expect(await spa.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('gets no more secrets checked than the limit by sending them all at once', async () => {
    if (!(await requireService('Redis', redisUrl))) return;
    // A store with real round trips, as in production, where a check-then-count can interleave.
    const store = await openRedisStore(redisUrl, { keyPrefix: `${runScopedName('attack')}:` });
    server = await listenAuthorizationServer(
      { trustedProxies: ['127.0.0.1'], rateLimits: { clientAuthFailuresPerClient: 10 } },
      { store: () => store },
    );
    const responses = await Promise.all(Array.from({ length: 60 }, () => clientCredentials(stranger, wrongSecret)));
    const checked = responses.filter((response) => response.status === 401);
    expect(checked.length).toBeLessThanOrEqual(10);
    expect(responses.filter((response) => response.status === 429).length).toBe(60 - checked.length);
  });
});

describe('a stranger guessing a user’s password', () => {
  it('gets no more than the per-account limit of 20 concurrent guesses checked', async () => {
    await start();
    const signIn = await loginFormAt(stranger);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn({ email: alice.email, password: `guess number ${i}` })),
    );
    const checked = (await Promise.all(responses.map(isWrongPasswordPage))).filter(Boolean);
    expect(checked.length).toBeLessThanOrEqual(5);
    for (const response of responses) expect([400, 429]).toContain(response.status);
    const refused = responses.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(15);
    for (const response of refused) retryAfter(response);
  });

  it('gets no more than the per-source limit of 60 concurrent guesses over many accounts checked', async () => {
    await start({ loginFailuresPerIp: 10 });
    const signIn = await loginFormAt(stranger);
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => signIn({ email: `user${i}@example.com`, password: 'Summer2024!' })),
    );
    const checked = (await Promise.all(responses.map(isWrongPasswordPage))).filter(Boolean);
    expect(checked.length).toBeLessThanOrEqual(10);
  });

  it('cannot keep the account locked: Alice’s right password from her own address always gets in', async () => {
    await start();
    const strangerSignIn = await loginFormAt(stranger);
    const aliceSignIn = await loginFormAt(alicesLaptop);
    for (let round = 0; round < 6; round += 1) {
      // The stranger fails as often as they are let, then waits out each delay and goes on.
      let response = await strangerSignIn({ email: alice.email, password: `guess ${round}` });
      for (let i = 0; i < 10 && response.status !== 429; i += 1)
        response = await strangerSignIn({ email: alice.email, password: `guess ${round}.${i}` });
      expect(response.status).toBe(429);
      const signedIn = await aliceSignIn(alice);
      expect(signedIn.status).toBe(303);
      expect(cookieValue(signedIn, sessionCookie)).toBeTruthy();
      server.clock.advance(retryAfter(response));
    }
  });

  it('slows down with a delay that doubles up to a cap of minutes, and never locks for good', async () => {
    await start();
    const signIn = await loginFormAt(stranger);
    let response = await signIn({ email: alice.email, password: 'guess 0' });
    for (let i = 1; i < 10 && response.status !== 429; i += 1)
      response = await signIn({ email: alice.email, password: `guess ${i}` });
    const delays: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      expect(response.status).toBe(429);
      delays.push(retryAfter(response));
      // Waiting is enough: the next guess is checked again.
      server.clock.advance(delays.at(-1) as number);
      response = await signIn({ email: alice.email, password: `later guess ${i}` });
      expect(await isWrongPasswordPage(response)).toBe(true);
    }
    expect(Math.max(...delays)).toBeLessThanOrEqual(300);
    expect(delays.at(-1)).toBe(Math.max(...delays));
    for (let i = 1; i < delays.length; i += 1) {
      expect(delays[i] as number).toBeGreaterThanOrEqual(delays[i - 1] as number);
      expect(delays[i] as number).toBeLessThanOrEqual(Math.max(2 * (delays[i - 1] as number), 300) + 1);
    }
    expect(delays[0] as number).toBeLessThan(300);
  });

  it('cannot stop Alice’s right password from her own address once her own delay has passed', async () => {
    await start();
    const signIn = await loginFormAt(alicesLaptop);
    let response = await signIn({ email: alice.email, password: 'typo 0' });
    for (let i = 1; i < 10 && response.status !== 429; i += 1)
      response = await signIn({ email: alice.email, password: `typo ${i}` });
    expect(response.status).toBe(429);
    const early = await signIn(alice);
    expect(early.status).toBe(429);
    // A delay of seconds to minutes, not the rest of a lockout window.
    expect(retryAfter(early)).toBeLessThanOrEqual(300);
    server.clock.advance(retryAfter(early));
    expect((await signIn(alice)).status).toBe(303);
  });
});

describe('a stranger flooding registration', () => {
  async function registerAt(from: string, email: string) {
    const page = await fetch(`${server.issuer}/register`, { headers: { 'x-forwarded-for': from } });
    const cookie = page.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const { fields } = parseForm(await page.text(), `${server.issuer}/register`);
    return post('/register', from, { ...fields, email, password: 'a long fresh passphrase 7' }, { cookie });
  }

  it('gets no more registrations hashed than the per-source limit, then 429 with Retry-After on the page', async () => {
    await start();
    const responses = await Promise.all(
      Array.from({ length: 14 }, (_, i) => registerAt(stranger, `flood${i}@example.com`)),
    );
    expect(responses.filter((response) => response.status === 303).length).toBe(10);
    const refused = responses.filter((response) => response.status === 429);
    expect(refused.length).toBe(4);
    for (const response of refused) {
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(retryAfter(response)).toBeLessThanOrEqual(900);
    }
    // Somebody else is not affected; the stranger may register again once the window has passed.
    expect((await registerAt(alicesLaptop, 'bob@example.com')).status).toBe(303);
    server.clock.advance(901);
    expect((await registerAt(stranger, 'later@example.com')).status).toBe(303);
  });
});
