import { openMemoryStore, type Store } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  basicAuthorization,
  confidentialClient,
  csrfOf,
  demoUser,
  introspect,
  listenAuthorizationServer,
  obtainCode,
  postForm,
  redeemCode,
  refreshRequest,
  signInAtLoginPage,
  TestBrowser,
  type TokenSet,
  userinfo,
  webAppAuthorization,
  webAppLogoutRedirect,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SECURITY.md §1: logs never contain a token, code, secret, password or session id, and the store
// holds no usable token. A whole flow runs with every log line and every store write captured, then
// both are searched for every value the flow issued or sent.

/** A memory store that keeps a copy of everything written to it: what a dump would show. */
function recordingStore(inner: Store, writes: string[]): Store {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inner)) {
    wrapped[name] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            if (name === 'put' || name === 'putIfAbsent' || name === 'compareAndSet') writes.push(JSON.stringify(args));
            return (value as (...a: unknown[]) => unknown).apply(inner, args);
          }
        : value;
  }
  return wrapped as unknown as Store;
}

describe('logs', () => {
  let server: AuthorizationServerUnderTest;
  const lines: string[] = [];
  const writes: string[] = [];
  const secrets = new Map<string, string>();

  /** Remembers a value that must not be logged. */
  const secret = (label: string, value: string | undefined) => {
    expect(value, label).toBeTruthy();
    secrets.set(label, value as string);
    return value as string;
  };

  beforeAll(async () => {
    server = await listenAuthorizationServer(
      {},
      {
        logger: { level: 'trace', stream: { write: (line: string) => lines.push(line) } },
        store: (clock) => recordingStore(openMemoryStore({ now: clock.now, sweepIntervalMs: 0 }), writes),
      },
    );
    secret('password', demoUser.password);
    secret('client secret', confidentialClient.client_secret);
    secret('Basic credentials', webAppAuthorization.slice('Basic '.length));

    // Sign in, with PKCE and a nonce; redeem; use and rotate the tokens.
    const issued = await obtainCode(server, { pkce: true, params: { nonce: 'nonce-for-the-log-test' } });
    secret('code', issued.code);
    secret('code_verifier', issued.verifier);
    const tokens = (await (await redeemCode(server, issued)).json()) as TokenSet;
    secret('access token', tokens.access_token);
    secret('refresh token', tokens.refresh_token);
    secret('ID token', tokens.id_token);
    const rotated = (await (
      await refreshRequest(server, 'web-app', tokens.refresh_token as string)
    ).json()) as TokenSet;
    secret('rotated access token', rotated.access_token);
    secret('rotated refresh token', rotated.refresh_token);
    secret('rotated ID token', rotated.id_token);
    expect((await userinfo(server, rotated.access_token)).status).toBe(200);
    expect((await introspect(server, rotated.access_token)).status).toBe(200);

    // A replayed code and a reused refresh token (both logged as warnings).
    const replayed = await obtainCode(server, { browser: issued.browser });
    secret('replayed code', replayed.code);
    const replayedTokens = (await (await redeemCode(server, replayed)).json()) as TokenSet;
    secret('access token of the replayed code', replayedTokens.access_token);
    expect((await redeemCode(server, replayed)).status).toBe(400);
    const family = await obtainCode(server, { browser: issued.browser });
    const familyTokens = (await (await redeemCode(server, family)).json()) as TokenSet;
    secret('reused refresh token', familyTokens.refresh_token);
    await refreshRequest(server, 'web-app', familyTokens.refresh_token as string);
    server.clock.advance(31);
    expect((await refreshRequest(server, 'web-app', familyTokens.refresh_token as string)).status).toBe(400);

    // Failed client authentication, failed sign-in, a registration.
    const wrongSecret = secret('wrong client secret', 'a-wrong-client-secret-0123456789abcdefgh');
    await postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: 'client_credentials' },
      { authorization: basicAuthorization('web-app', wrongSecret) },
    );
    const wrongPassword = secret('wrong password', 'a wrong password for alice 99');
    expect((await signInAtLoginPage(server, new TestBrowser(), { ...demoUser, password: wrongPassword })).status).toBe(
      400,
    );
    const registering = new TestBrowser();
    const registerPage = await (await registering.navigate(`${server.issuer}/register`)).text();
    const newPassword = secret('registered password', 'the new user chose this passphrase 7');
    await registering.post(`${server.issuer}/register`, {
      csrf: csrfOf(registerPage, `${server.issuer}/register`),
      email: 'logged-user@example.com',
      password: newPassword,
    });

    // Revoke, then sign out with the ID token as hint (it travels in the query string).
    const sessionValue = secret('session cookie', issued.browser.cookie('__Host-gh-as-session', server.issuer));
    secret('session id', sessionValue.slice(0, sessionValue.lastIndexOf('.')));
    secret('CSRF cookie', issued.browser.cookie('__Host-gh-as-csrf', server.issuer));
    expect(
      (
        await postForm(
          server,
          `${server.issuer}/revoke`,
          { token: rotated.refresh_token as string },
          { authorization: webAppAuthorization },
        )
      ).status,
    ).toBe(200);
    const logout = await issued.browser.navigate(
      `${server.issuer}/logout?${new URLSearchParams({
        id_token_hint: rotated.id_token as string,
        post_logout_redirect_uri: webAppLogoutRedirect,
        state: 'logout-state',
      })}`,
    );
    expect(logout.status).toBe(303);
  });
  afterAll(() => server.close());

  it('captured the flow (so the search below could find something)', () => {
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((line) => /"level":40/.test(line))).toBe(true);
    expect(lines.some((line) => line.includes('/token'))).toBe(true);
  });

  /** The labels of the secrets found in `text`: whole, or a 16-character piece of their end (the random part). */
  function leaksIn(text: string, except: readonly string[] = []): string[] {
    return [...secrets]
      .filter(([label]) => !except.includes(label))
      .filter(([, value]) => text.includes(value) || text.includes(value.slice(-16)))
      .map(([label]) => label);
  }

  it('contain no password, code, token, secret, session id or CSRF value', () => {
    expect(leaksIn(lines.join('\n'))).toEqual([]);
  });

  it('leave no usable token, code, secret or password in the store', () => {
    expect(writes.length).toBeGreaterThan(10);
    // The session id is the session's key; without the cookie secret's MAC it opens nothing.
    expect(leaksIn(writes.join('\n'), ['session id'])).toEqual([]);
  });

  it('contain no query string (where an id_token_hint travels)', () => {
    expect(lines.filter((line) => /\/(logout|authorize)\?/.test(line))).toEqual([]);
  });
});
