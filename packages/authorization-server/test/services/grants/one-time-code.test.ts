import { createHash } from 'node:crypto';
import { loadAuthorizationServerConfig } from '@gatehouse/authorization-server';
import { ConfigError } from '@gatehouse/config';
import { openMemoryStore, type Store } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  introspect,
  listenAuthorizationServer,
  obtainTokens,
  postForm,
  publicClient,
  tokenRequest,
  userinfo,
  webAppAuthorization,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  authorizationOf,
  confidentialApp,
  errorOf,
  exchange,
  exchangingWebApp,
  oneTimeCodeGrant,
  signIn,
} from './exchange-flows.js';

// SECURITY.md §3: one-time codes for long-lived tokens — single use, 10 minutes, bound to the app's
// client ids, a replay refused and logged; §1: the store holds no usable token, logs hold no code.
// The app: `web-app` (its server, confidential, long-lived tokens by exchange) and `spa` (its browser
// side, a public client that accepts codes from `web-app`).

const spaOrigin = publicClient.allowed_cors_origins[0] as string;
const webApp = exchangingWebApp({ long_lived_tokens: true });
const spa = {
  ...publicClient,
  grant_types: [...publicClient.grant_types, oneTimeCodeGrant],
  one_time_code_issuers: ['web-app'],
};
/** Another public client that also trusts `web-app`: a code for `spa` is still not its to redeem. */
const otherSpa = {
  ...publicClient,
  client_id: 'other-spa',
  grant_types: ['authorization_code', oneTimeCodeGrant],
  one_time_code_issuers: ['web-app'],
};
/** A public client of another app: it does not list `web-app`. */
const strangerSpa = { ...otherSpa, client_id: 'stranger-spa', one_time_code_issuers: ['partner-server'] };
/** Accepts codes from `web-app` but may not hold `api`. */
const narrowSpa = { ...otherSpa, client_id: 'narrow-spa', scope: 'openid profile' };
/** A confidential client of the app that could issue codes, and one that redeems them with its secret. */
const partnerServer = confidentialApp('partner-server');
const reportingServer = confidentialApp('reporting-server', {
  grant_types: ['authorization_code', oneTimeCodeGrant],
  one_time_code_issuers: ['web-app'],
});

interface CodeResponse {
  code: string;
  expires_in: number;
}

interface RedeemedResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('one-time codes', () => {
  let server: AuthorizationServerUnderTest;
  const lines: string[] = [];
  const writes: string[] = [];

  beforeAll(async () => {
    server = await listenAuthorizationServer(
      {
        clients: [webApp, spa, otherSpa, strangerSpa, narrowSpa, partnerServer, reportingServer],
        refreshTokenTtlSeconds: 90 * 86400,
      },
      {
        logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
        store: (clock) => recordingStore(openMemoryStore({ now: clock.now, sweepIntervalMs: 0 }), writes),
      },
    );
  });
  afterAll(() => server.close());
  beforeEach(() => {
    lines.length = 0;
    writes.length = 0;
  });

  /** What the app's server holds: a long-lived token for the browser's scopes, by exchange. */
  async function longLivedToken(): Promise<{ access_token: string; refresh_token: string }> {
    const tokens = await signIn(server, webApp);
    const response = await exchange(server, webApp, tokens.access_token, { scope: 'openid profile api' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string };
    return { access_token: body.access_token, refresh_token: tokens.refresh_token as string };
  }

  function requestCode(
    token: string,
    audienceClientId = 'spa',
    headers: Record<string, string> = { authorization: webAppAuthorization },
  ) {
    return postForm(server, `${server.issuer}/one-time-code`, { token, audience_client_id: audienceClientId }, headers);
  }

  async function issueCode(token: string, audienceClientId = 'spa'): Promise<string> {
    const response = await requestCode(token, audienceClientId);
    expect(response.status, await response.clone().text()).toBe(200);
    return ((await response.json()) as CodeResponse).code;
  }

  function redeem(code: string, clientId = 'spa') {
    return postForm(
      server,
      `${server.issuer}/token`,
      { grant_type: oneTimeCodeGrant, code, client_id: clientId },
      { origin: spaOrigin },
    );
  }

  async function expectError(response: Response, status: number, error: string) {
    expect(response.status).toBe(status);
    expect(await errorOf(response)).toBe(error);
    expect(response.headers.get('cache-control')).toBe('no-store');
  }

  describe('the happy path', () => {
    it('hands the long-lived token to the browser side through a 10-minute code', async () => {
      const { access_token: token } = await longLivedToken();
      const response = await requestCode(token);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const issued = (await response.json()) as CodeResponse;
      expect(issued.expires_in).toBe(600);
      expect(issued.code).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url

      server.clock.advance(120);
      const redeemed = await redeem(issued.code);
      expect(redeemed.status).toBe(200);
      expect(redeemed.headers.get('cache-control')).toBe('no-store');
      expect(redeemed.headers.get('access-control-allow-origin')).toBe(spaOrigin);
      const body = (await redeemed.json()) as RedeemedResponse;
      expect(body).toMatchObject({ access_token: token, token_type: 'Bearer', scope: 'openid profile api' });
      expect(body.expires_in).toBe(60 * 86400 - 120);
      expect(body.refresh_token).toBeUndefined();
      expect(body.id_token).toBeUndefined();
      expect((await userinfo(server, body.access_token)).status).toBe(200);
    });

    it('lets a confidential redeemer authenticate normally', async () => {
      const { access_token: token } = await longLivedToken();
      const code = await issueCode(token, 'reporting-server');
      const response = await postForm(
        server,
        `${server.issuer}/token`,
        { grant_type: oneTimeCodeGrant, code },
        { authorization: authorizationOf(reportingServer) },
      );
      expect(response.status).toBe(200);
      expect(((await response.json()) as RedeemedResponse).access_token).toBe(token);
    });

    it('is advertised in discovery', async () => {
      const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as {
        gatehouse_one_time_code_endpoint: string;
        grant_types_supported: string[];
      };
      expect(discovery.gatehouse_one_time_code_endpoint).toBe(`${server.issuer}/one-time-code`);
      expect(discovery.grant_types_supported).toContain(oneTimeCodeGrant);
    });
  });

  describe('single use', () => {
    it('refuses a replay with invalid_grant and logs a warning without the code', async () => {
      const { access_token: token } = await longLivedToken();
      const code = await issueCode(token);
      expect((await redeem(code)).status).toBe(200);
      await expectError(await redeem(code), 400, 'invalid_grant');

      const warning = lines.find((line) => line.includes('one-time code replayed'));
      expect(warning).toBeDefined();
      expect(JSON.parse(warning as string).level).toBe(40); // pino's warn
      for (const line of lines) {
        expect(line).not.toContain(code);
        expect(line).not.toContain(token);
      }
    });

    it('of 20 concurrent redemptions, exactly one succeeds', async () => {
      const { access_token: token } = await longLivedToken();
      const code = await issueCode(token);
      const responses = await Promise.all(Array.from({ length: 20 }, () => redeem(code)));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 400)).toHaveLength(19);
      for (const response of responses.filter((r) => r.status === 400)) {
        expect(await errorOf(response)).toBe('invalid_grant');
      }
    });

    it('refuses an expired code (past 10 minutes) with invalid_grant', async () => {
      const { access_token: token } = await longLivedToken();
      const code = await issueCode(token);
      server.clock.advance(601);
      await expectError(await redeem(code), 400, 'invalid_grant');
    });

    it('refuses an unknown code with invalid_grant, and a missing one with invalid_request', async () => {
      await expectError(await redeem('A'.repeat(43)), 400, 'invalid_grant');
      await expectError(await redeem('x'.repeat(300)), 400, 'invalid_grant');
      await expectError(
        await postForm(server, `${server.issuer}/token`, { grant_type: oneTimeCodeGrant, client_id: 'spa' }),
        400,
        'invalid_request',
      );
    });
  });

  describe('bound to the app', () => {
    it('refuses a code redeemed by another client with invalid_grant, and spends it', async () => {
      const { access_token: token } = await longLivedToken();
      const code = await issueCode(token);
      await expectError(await redeem(code, 'other-spa'), 400, 'invalid_grant');
      await expectError(await redeem(code, 'spa'), 400, 'invalid_grant');
    });

    it('refuses to issue for a client that does not list the issuer, with unauthorized_client', async () => {
      const { access_token: token } = await longLivedToken();
      for (const audience of ['stranger-spa', 'no-such-client', 'web-app']) {
        await expectError(await requestCode(token, audience), 400, 'unauthorized_client');
      }
    });

    it('refuses a redeemer that did not register the grant with unauthorized_client', async () => {
      const { access_token: token } = await longLivedToken();
      const code = await issueCode(token);
      const response = await postForm(
        server,
        `${server.issuer}/token`,
        { grant_type: oneTimeCodeGrant, code },
        { authorization: authorizationOf(partnerServer) },
      );
      await expectError(response, 400, 'unauthorized_client');
    });

    it('refuses a token with scopes the redeemer may not hold, with invalid_scope', async () => {
      const { access_token: token } = await longLivedToken();
      await expectError(await requestCode(token, 'narrow-spa'), 400, 'invalid_scope');
      // The sign-in token itself carries email and offline_access, which `spa` may not hold.
      const tokens = await signIn(server, webApp);
      await expectError(await requestCode(tokens.access_token), 400, 'invalid_scope');
    });

    it('is refused at registration when the client does not register the grant', () => {
      const refusedField = (client: Record<string, unknown>) => {
        try {
          loadAuthorizationServerConfig({
            issuer: 'https://as.example.com',
            store: 'memory',
            cookieSecrets: ['test-cookie-secret-0123456789abcdefghij'],
            clients: [client],
          });
          return undefined;
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          return error.field;
        }
      };
      expect(refusedField({ ...publicClient, one_time_code_issuers: ['web-app'] })).toBe(
        'clients.0.one_time_code_issuers',
      );
      expect(refusedField(spa)).toBeUndefined();
    });
  });

  describe('who may issue, and for which token', () => {
    it('refuses a public client with 401 invalid_client', async () => {
      const { access_token: token } = await longLivedToken();
      const response = await postForm(server, `${server.issuer}/one-time-code`, {
        token,
        audience_client_id: 'spa',
        client_id: 'spa',
      });
      await expectError(response, 401, 'invalid_client');
    });

    it('refuses a client that fails authentication with 401 invalid_client', async () => {
      const { access_token: token } = await longLivedToken();
      const wrong = `Basic ${Buffer.from('web-app:wrong-secret-0123456789abcdefghijkl').toString('base64')}`;
      await expectError(await requestCode(token, 'spa', { authorization: wrong }), 401, 'invalid_client');
    });

    it("refuses another client's token with invalid_request", async () => {
      const spaTokens = await obtainTokens(server, { client: 'spa' });
      await expectError(await requestCode(spaTokens.access_token), 400, 'invalid_request');
      const partnerTokens = await signIn(server, partnerServer, { scope: 'openid api' });
      await expectError(await requestCode(partnerTokens.access_token), 400, 'invalid_request');
    });

    it('refuses a client credentials token with invalid_request', async () => {
      const response = await tokenRequest(server, 'web-app', { grant_type: 'client_credentials', scope: 'api' });
      const clientToken = ((await response.json()) as { access_token: string }).access_token;
      await expectError(await requestCode(clientToken), 400, 'invalid_request');
    });

    it('refuses a revoked or malformed token with invalid_request, and missing parameters too', async () => {
      const { access_token: token, refresh_token } = await longLivedToken();
      await postForm(
        server,
        `${server.issuer}/revoke`,
        { token: refresh_token },
        { authorization: webAppAuthorization },
      );
      await expectError(await requestCode(token), 400, 'invalid_request');
      await expectError(await requestCode('not-a-token'), 400, 'invalid_request');
      await expectError(
        await postForm(server, `${server.issuer}/one-time-code`, { token }, { authorization: webAppAuthorization }),
        400,
        'invalid_request',
      );
      await expectError(
        await postForm(
          server,
          `${server.issuer}/one-time-code`,
          { audience_client_id: 'spa' },
          { authorization: webAppAuthorization },
        ),
        400,
        'invalid_request',
      );
    });

    it('refuses redemption with invalid_grant when the token was revoked after the code was issued', async () => {
      const { access_token: token, refresh_token } = await longLivedToken();
      const code = await issueCode(token);
      await postForm(
        server,
        `${server.issuer}/revoke`,
        { token: refresh_token },
        { authorization: webAppAuthorization },
      );
      expect(await (await introspect(server, token)).json()).toEqual({ active: false });
      await expectError(await redeem(code), 400, 'invalid_grant');
    });
  });

  describe('at rest', () => {
    it('keeps the code hashed and the token sealed: the store holds neither in clear', async () => {
      const { access_token: token } = await longLivedToken();
      writes.length = 0;
      const code = await issueCode(token);

      const raw = await server.store.get('one-time-codes', sha256(code));
      expect(raw).toBeDefined();
      const entry = JSON.stringify(raw);
      expect(entry).not.toContain(token);
      // Not even a recognisable part of it: the JWT's payload segment.
      expect(entry).not.toContain((token.split('.') as [string, string, string])[1]);
      expect(entry).toContain('spa');

      expect(writes.length).toBeGreaterThan(0);
      for (const write of writes) {
        expect(write).not.toContain(token);
        expect(write).not.toContain(code);
      }
    });
  });
});

/**
 * A store that keeps a copy of every write (what a dump would show, as in the logs suite), and whose
 * reads of one-time codes answer 10 ms late: a read-then-delete redemption would then let several of
 * the concurrent ones through, where an atomic `take` still lets exactly one.
 */
function recordingStore(inner: Store, writes: string[]): Store {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inner)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    wrapped[name] = async (...args: unknown[]) => {
      if (name === 'put' || name === 'putIfAbsent' || name === 'compareAndSet') writes.push(JSON.stringify(args));
      const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
      if ((name === 'get' || name === 'take') && args[0] === 'one-time-codes') {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return result;
    };
  }
  return wrapped as unknown as Store;
}
