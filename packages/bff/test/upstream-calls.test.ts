import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { startSocialProvider } from '@gatehouse/demo-upstream';
import { openMemoryStore } from '@gatehouse/store';
import {
  freePort,
  parseForm,
  type RunningAuthorizationServer,
  startAuthorizationServer,
  TestBrowser,
} from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff } from '../src/app.js';
import { loadBffConfig } from '../src/config/bff-config.js';
import { OfflineAccessError } from '../src/offline/offline-grants.js';
import { UpstreamCallError } from '../src/upstream/upstream-call-error.js';
import { startRecordingProxy } from './recording-proxy.js';

const tokenExchange = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ada = { id: '1001', name: 'Ada Lovelace', email: 'ada@example.test', emailVerified: true };
const alan = { id: '1002', name: 'Alan Turing' };
const grace = { id: '1003', name: 'Grace Hopper' };
const katherine = { id: '1004', name: 'Katherine Johnson' };
const edsger = { id: '1005', name: 'Edsger Dijkstra' };

// The BFF calling Example Social's API for the user, with real parts: our authorization server signs
// the user in with Example Social and keeps their token there; the BFF gets it by token exchange.
// Example Social's tokens live 60 s, so the authorization server refreshes one at every exchange.
describe('BFF calls to upstream APIs (upstream:<name>)', () => {
  let social: Awaited<ReturnType<typeof startSocialProvider>>;
  let socialApi: Awaited<ReturnType<typeof startRecordingProxy>>;
  let provider: RunningAuthorizationServer;
  /** Upstream token kept on the server: the proxied route, `upstreamFetch`, a 403 for /bff/token. */
  let bff: FastifyInstance;
  /** The opt-in: the SPA may fetch the upstream token. */
  let exposing: FastifyInstance;
  /** Registered at the provider without `upstream_tokens`. */
  let unregistered: FastifyInstance;
  const origins: Record<'bff' | 'exposing' | 'unregistered', string> = { bff: '', exposing: '', unregistered: '' };
  const socialSecret = randomBytes(24).toString('base64url');
  const clientSecret = randomBytes(24).toString('base64url');
  let clockOffsetMs = 0;
  /** Token-exchange requests the BFFs sent to the provider, and how to answer the next ones instead. */
  let exchanges = 0;
  let exchangeOutage: 'unreachable' | 'temporarily_unavailable' | undefined;
  /** Every log line of the BFFs, searched for tokens and proofs at the end. */
  const logLines: string[] = [];

  beforeAll(async () => {
    const asPort = await freePort();
    const issuer = `http://127.0.0.1:${asPort}`;
    social = await startSocialProvider({
      port: 0,
      clients: [
        { clientId: 'gatehouse', clientSecret: socialSecret, redirectUris: [`${issuer}/upstream/social/callback`] },
      ],
      users: [ada, alan, grace, katherine, edsger],
      accessTokenTtlSeconds: 60,
    });
    socialApi = await startRecordingProxy(social.url);
    const ports = { bff: await freePort(), exposing: await freePort(), unregistered: await freePort() };
    for (const name of ['bff', 'exposing', 'unregistered'] as const) origins[name] = `http://127.0.0.1:${ports[name]}`;
    const client = (id: string, origin: string, upstreamTokens: string[]) => ({
      client_id: id,
      client_secret: clientSecret,
      client_name: id,
      redirect_uris: [`${origin}/bff/callback`],
      post_logout_redirect_uris: [`${origin}/`],
      grant_types: ['authorization_code', 'refresh_token', tokenExchange],
      scope: 'openid profile email offline_access',
      upstream_tokens: upstreamTokens,
    });
    provider = await startAuthorizationServer({
      issuer,
      port: asPort,
      upstreams: [
        {
          name: 'social',
          displayName: 'Example Social',
          type: 'oauth2',
          authorizationEndpoint: `${social.url}/oauth/authorize`,
          tokenEndpoint: `${social.url}/oauth/token`,
          profileUrl: `${social.url}/me`,
          clientId: 'gatehouse',
          clientSecret: socialSecret,
          apiBaseUrl: social.url,
          appsecretProof: true,
        },
      ],
      clients: [
        client('upstream-bff', origins.bff, ['social']),
        client('exposing-bff', origins.exposing, ['social']),
        client('unregistered-bff', origins.unregistered, []),
      ],
    });
    const countingFetch: typeof fetch = async (input, init) => {
      if (String(init?.body ?? '').includes(encodeURIComponent(tokenExchange))) {
        exchanges += 1;
        if (exchangeOutage === 'unreachable') throw new TypeError('fetch failed');
        if (exchangeOutage === 'temporarily_unavailable') {
          return Response.json({ error: 'temporarily_unavailable' }, { status: 503 });
        }
      }
      return fetch(input, init);
    };
    const start = async (name: keyof typeof origins, clientId: string, settings: Record<string, unknown>) => {
      const app = await createBff(
        loadBffConfig({
          publicUrl: origins[name],
          issuer,
          clientId,
          clientSecret,
          scopes: ['openid', 'profile', 'email'],
          tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
          store: 'memory',
          tokenMediating: { enabled: true },
          routes: [{ path: '/social', target: socialApi.url, token: 'upstream:social' }],
          ...settings,
        }),
        {
          store: openMemoryStore(),
          fetch: countingFetch,
          now: () => Date.now() + clockOffsetMs,
          logger: { level: 'debug', stream: { write: (line: string) => logLines.push(line) } },
        },
      );
      await app.listen({ port: ports[name], host: '127.0.0.1' });
      return app;
    };
    bff = await start('bff', 'upstream-bff', {
      offlineAccess: { enabled: true },
      upstreams: [{ name: 'social', apiBaseUrl: socialApi.url }],
    });
    exposing = await start('exposing', 'exposing-bff', {
      upstreams: [{ name: 'social', apiBaseUrl: socialApi.url, exposeTokenToBrowser: true }],
    });
    unregistered = await start('unregistered', 'unregistered-bff', { upstreams: [{ name: 'social' }] });
  });
  afterAll(async () => {
    for (const app of [bff, exposing, unregistered]) await app?.close();
    await provider?.close();
    await socialApi?.stop();
    await social?.close();
  });

  /**
   * Signs in at the BFF through the provider's "Continue with Example Social", choosing `user` there.
   * Returns the browser (cookie kept) and the provider-side browser (its session at the provider).
   */
  async function signInWithSocial(origin: string, user: { id: string }) {
    const browser = new TestBrowser({ origin });
    const providerBrowser = new TestBrowser();
    const callback = `${origin}/bff/callback`;
    const login = await browser.navigate('/bff/login?returnUrl=/');
    let step = await providerBrowser.follow(login.headers.get('location') as string, callback);
    const loginPage = await step.response.text();
    const socialForm = /<form[^>]*action="[^"]*\/upstream\/social\/start"/.exec(loginPage);
    expect(socialForm, 'the login page offers Continue with Example Social').not.toBeNull();
    expect(loginPage).toContain('Continue with Example Social');
    step = await providerBrowser.submit(step.url, loginPage.slice(socialForm?.index), {}, callback);
    expect(step.url.startsWith(`${social.url}/oauth/authorize`)).toBe(true);
    // Example Social's consent page: "Continue as <name>".
    step = await providerBrowser.submit(step.url, await step.response.text(), { user: user.id }, callback);
    for (let pages = 0; pages < 3 && !step.url.startsWith(callback); pages += 1) {
      const page = await step.response.text();
      if (step.response.status !== 200) throw new Error(`unexpected ${step.response.status} at ${step.url}`);
      step = await providerBrowser.submit(step.url, page, { decision: 'allow' }, callback);
    }
    expect(step.url.startsWith(callback)).toBe(true);
    expect((await browser.navigate(step.url)).status).toBe(200);
    const me = (await (await browser.fetch('/bff/user', { csrf: true })).json()) as { claims: { sub: string } };
    return { browser, providerBrowser, sub: me.claims.sub };
  }

  const proofOf = (token: string) => createHmac('sha256', socialSecret).update(token).digest('hex');

  it("proxies to Example Social with the user's token and the BFF's appsecret_proof, never showing either to the browser", async () => {
    const { browser } = await signInWithSocial(origins.bff, ada);
    const response = await browser.fetch('/social/me?fields=id,name&appsecret_proof=chosen-by-the-page', {
      csrf: true,
    });
    const body = await response.text();
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ id: ada.id, name: ada.name });

    const sent = socialApi.seen.at(-1);
    const token = /^Bearer (.+)$/.exec(String(sent?.headers.authorization))?.[1] as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The browser's proof is gone; the BFF's is the one Example Social checks.
    expect(sent?.url).toBe(`/me?fields=id,name&appsecret_proof=${proofOf(token)}`);
    expect(sent?.headers.cookie).toBeUndefined();
    expect(sent?.headers['x-csrf']).toBeUndefined();
    const shown = `${JSON.stringify([...response.headers])}${body}`;
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(proofOf(token));

    const posts = await browser.fetch('/social/me/posts', { csrf: true });
    expect(posts.status).toBe(200);
    expect(((await posts.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
  });

  it('exchanges once per session and reuses the token until 30 s before it expires', async () => {
    const { browser } = await signInWithSocial(origins.bff, grace);
    const before = exchanges;
    const refreshesBefore = social.provider.counts.refreshToken;
    const answers = await Promise.all(Array.from({ length: 5 }, () => browser.fetch('/social/me', { csrf: true })));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await browser.fetch('/social/me', { csrf: true })).status).toBe(200);
    expect(exchanges - before).toBe(1);
    // The provider refreshed the 60-second token at Example Social once, for that one exchange.
    expect(social.provider.counts.refreshToken - refreshesBefore).toBe(1);
    const tokens = new Set(socialApi.seen.slice(-6).map((request) => request.headers.authorization));
    expect(tokens.size).toBe(1);

    clockOffsetMs += 31_000; // less than 30 s of the token's minute remain
    try {
      expect((await browser.fetch('/social/me', { csrf: true })).status).toBe(200);
      expect(exchanges - before).toBe(2);
    } finally {
      clockOffsetMs -= 31_000;
    }
  });

  it('answers 403 upstream_consent_required once Example Social has revoked the user', async () => {
    const { browser } = await signInWithSocial(origins.bff, alan);
    expect((await browser.fetch('/social/me', { csrf: true })).status).toBe(200);

    social.provider.revokeUser(alan.id);
    // The cached token is dead at Example Social: its 401 passes through, and the BFF forgets that token.
    const refused = await browser.fetch('/social/me', { csrf: true });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    // The next call exchanges again; the provider's refresh at Example Social fails: reconnect needed.
    const answer = await browser.fetch('/social/me', { csrf: true });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await answer.json()).toMatchObject({ error: 'upstream_consent_required', upstream: 'social' });
    // The BFF session itself is fine.
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(200);
  });

  it('answers 401 token_rejected once the user revoked the BFF at the provider and the cached token is stale', async () => {
    const { browser, providerBrowser } = await signInWithSocial(origins.bff, edsger);
    expect((await browser.fetch('/social/me', { csrf: true })).status).toBe(200);
    const profile = await (await providerBrowser.navigate(`${provider.issuer}/profile`)).text();
    const around = profile.slice(profile.indexOf('/profile/revoke') - 200);
    const revoke = parseForm(around.slice(around.indexOf('<form')), `${provider.issuer}/profile`);
    expect(revoke.fields.client_id).toBe('upstream-bff');
    expect((await providerBrowser.post(revoke.action, revoke.fields)).status).toBe(303);

    clockOffsetMs += 31_000;
    try {
      const answer = await browser.fetch('/social/me', { csrf: true });
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual({ error: 'unauthenticated', reason: 'token_rejected' });
    } finally {
      clockOffsetMs -= 31_000;
    }
  });

  it('answers 403 upstream_consent_required for a user who never linked Example Social', async () => {
    const browser = new TestBrowser({ origin: origins.bff });
    const login = await browser.navigate('/bff/login?returnUrl=/');
    const back = await new TestBrowser().authorize(
      login.headers.get('location') as string,
      `${origins.bff}/bff/callback`,
    );
    await browser.navigate(back.href);
    const answer = await browser.fetch('/social/me', { csrf: true });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toMatchObject({ error: 'upstream_consent_required', upstream: 'social' });
  });

  it('answers 401 without a session and 403 without the CSRF header, asking nobody', async () => {
    const before = exchanges;
    const anonymous = new TestBrowser({ origin: origins.bff });
    expect((await anonymous.fetch('/social/me', { csrf: true })).status).toBe(401);
    const { browser } = await signInWithSocial(origins.bff, katherine);
    const beforeForged = exchanges;
    expect((await browser.navigate('/social/me')).status).toBe(403);
    expect(exchanges).toBe(beforeForged);
    expect(beforeForged - before).toBe(0);
  });

  it('answers 502 upstream_not_allowed when the provider does not let the BFF have that upstream', async () => {
    const { browser } = await signInWithSocial(origins.unregistered, ada);
    const answer = await browser.fetch('/social/me', { csrf: true });
    expect(answer.status).toBe(502);
    expect(await answer.json()).toMatchObject({ error: 'upstream_not_allowed' });
  });

  it('answers 503 when the upstream is down and 502 when the provider cannot be reached', async () => {
    const { browser } = await signInWithSocial(origins.exposing, grace);
    try {
      exchangeOutage = 'temporarily_unavailable';
      const down = await browser.fetch('/social/me', { csrf: true });
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ error: 'unavailable', reason: 'upstream_unavailable' });
      exchangeOutage = 'unreachable';
      const unreachable = await browser.fetch('/social/me', { csrf: true });
      expect(unreachable.status).toBe(502);
      expect(await unreachable.json()).toMatchObject({ reason: 'provider_unavailable' });
    } finally {
      exchangeOutage = undefined;
    }
    expect((await browser.fetch('/social/me', { csrf: true })).status).toBe(200);
  });

  it('proxies a WebSocket handshake with the upstream token and the BFF’s proof', async () => {
    const { browser } = await signInWithSocial(origins.bff, ada);
    const handshake = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${origins.bff}/social/stream?appsecret_proof=forged`, {
          headers: {
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '13',
            'sec-websocket-key': randomBytes(16).toString('base64'),
            origin: origins.bff,
            ...headers,
          },
        });
        request.on('upgrade', (response, socket) => {
          socket.destroy();
          resolve(response.statusCode ?? 0);
        });
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
    expect(await handshake({})).toBe(401);
    expect(await handshake({ cookie: browser.cookieHeader() })).toBe(101);
    const sent = socialApi.seen.at(-1);
    const token = /^Bearer (.+)$/.exec(String(sent?.headers.authorization))?.[1] as string;
    expect(sent?.url).toBe(`/stream?appsecret_proof=${proofOf(token)}`);
    expect(sent?.headers.cookie).toBeUndefined();
  });

  describe('GET /bff/token?upstream=', () => {
    it('refuses the upstream token unless that upstream is exposed to the browser', async () => {
      const { browser } = await signInWithSocial(origins.bff, ada);
      const refused = await browser.fetch('/bff/token?upstream=social', { csrf: true });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: 'forbidden', reason: 'upstream_token_not_exposed' });
      const unknown = await browser.fetch('/bff/token?upstream=elsewhere', { csrf: true });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: 'not_found', reason: 'unknown_upstream' });
      const both = await browser.fetch('/bff/token?upstream=social&scope=openid', { csrf: true });
      expect(both.status).toBe(400);

      // Without tokenMediating the endpoint does not exist, exposed or not.
      const off = await createBff(
        loadBffConfig({
          publicUrl: 'http://127.0.0.1:1',
          issuer: provider.issuer,
          clientId: 'exposing-bff',
          clientSecret,
          tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
          store: 'memory',
          upstreams: [{ name: 'social', exposeTokenToBrowser: true }],
        }),
        { store: openMemoryStore() },
      );
      try {
        const answer = await off.inject({ url: '/bff/token?upstream=social', headers: { 'x-csrf': '1' } });
        expect(answer.statusCode).toBe(404);
      } finally {
        await off.close();
      }
    });

    it('hands an exposed upstream token and its proof to the SPA, no-store, usable at Example Social', async () => {
      const { browser } = await signInWithSocial(origins.exposing, ada);
      expect((await browser.navigate('/bff/token?upstream=social')).status).toBe(403); // CSRF header
      const answer = await browser.fetch('/bff/token?upstream=social', { csrf: true });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const token = (await answer.json()) as Record<string, unknown>;
      expect(Object.keys(token).sort()).toEqual(['access_token', 'appsecret_proof', 'expires_in', 'token_type']);
      expect(token.token_type).toBe('Bearer');
      expect(token.expires_in).toBeGreaterThan(30);
      expect(token.expires_in).toBeLessThanOrEqual(60);
      expect(token.appsecret_proof).toBe(proofOf(token.access_token as string));
      const direct = await fetch(`${social.url}/me?appsecret_proof=${token.appsecret_proof}`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      });
      expect(await direct.json()).toMatchObject({ id: ada.id });
    });
  });

  describe('app.upstreamFetch', () => {
    it("calls Example Social for a signed-out user through the offline grant, only below the API's base", async () => {
      const { browser, providerBrowser, sub } = await signInWithSocial(origins.bff, katherine);
      await expect(bff.upstreamFetch(sub, 'social', `${socialApi.url}/me`)).rejects.toBeInstanceOf(OfflineAccessError);
      const grant = await browser.navigate('/bff/offline/grant?returnUrl=/');
      const consent = await providerBrowser.follow(
        grant.headers.get('location') as string,
        `${origins.bff}/bff/callback`,
      );
      const back = await providerBrowser.submit(
        consent.url,
        await consent.response.text(),
        { decision: 'allow' },
        `${origins.bff}/bff/callback`,
      );
      await browser.navigate(back.url);
      await browser.fetch('/bff/logout', { method: 'POST', csrf: true, headers: { accept: 'application/json' } });
      expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(401);

      const response = await bff.upstreamFetch(sub, 'social', `${socialApi.url}/me/posts?appsecret_proof=x`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
      const sent = socialApi.seen.at(-1);
      const token = /^Bearer (.+)$/.exec(String(sent?.headers.authorization))?.[1] as string;
      expect(sent?.url).toBe(`/me/posts?appsecret_proof=${proofOf(token)}`);

      for (const outside of ['https://elsewhere.example/me', `${social.url}/me`, `${socialApi.url}.evil.test/me`]) {
        const before = exchanges;
        const failure = await bff.upstreamFetch(sub, 'social', outside).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(UpstreamCallError);
        expect(failure).toMatchObject({ reason: 'url_not_allowed', upstream: 'social' });
        expect(exchanges).toBe(before);
      }
      await expect(bff.upstreamFetch(sub, 'elsewhere', `${socialApi.url}/me`)).rejects.toBeInstanceOf(TypeError);

      social.provider.revokeUser(katherine.id);
      await expect(bff.upstreamFetch(sub, 'social', `${socialApi.url}/me`)).rejects.toMatchObject({
        reason: 'consent_required',
      });
    });
  });

  it('logs no upstream token and no appsecret_proof (runs last)', () => {
    const logs = logLines.join('');
    expect(logs).toContain('/social/me');
    expect(logs).toContain('upstream_tokens'); // the misconfiguration is logged for the operator
    const tokens = socialApi.seen.map((request) => /^Bearer (.+)$/.exec(String(request.headers.authorization))?.[1]);
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(proofOf(token as string));
    }
  });
});
