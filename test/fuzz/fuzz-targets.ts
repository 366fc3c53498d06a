import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { buildDemoApi, loadDemoApiConfig } from '@gatehouse/demo-api';
import { openMemoryStore } from '@gatehouse/store';
import { confidentialClient, demoUser, freePort, publicClient, startAuthorizationServer } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { type FuzzUser, signInAtBff, signInAtProvider, signInOnly } from './sign-in.js';

/**
 * Stand-ins for values a signed-in browser holds, replaced when a request is sent: the fuzzer may end
 * a session (a logout is a legitimate request too), and the run signs in again under them.
 */
export const placeholders = {
  cookie: '__FUZZ_COOKIE__',
  csrf: '__FUZZ_CSRF__',
  interaction: '__FUZZ_INTERACTION__',
} as const;
export type SessionValues = Record<keyof typeof placeholders, string>;

type Parameters = Readonly<Record<string, string>>;

/** One app under fuzz: where it listens and what a legitimate caller would send it. */
export interface FuzzTarget {
  name: 'authorization-server' | 'bff' | 'demo-api';
  app: FastifyInstance;
  port: number;
  origin: string;
  /**
   * Legitimate parameter sets for some routes (by Fastify pattern), the base a variant changes.
   * A route without one (a new route, say) gets another route's: it is fuzzed all the same.
   */
  samples: Readonly<Record<string, readonly Parameters[]>>;
  /** Real values by parameter name (from the samples) and by path parameter (`id`, `*`). */
  knownValues: Readonly<Record<string, readonly string[]>>;
  /** `Cookie` headers a signed-in browser sends here. */
  cookies: readonly string[];
  /** `Authorization` headers a legitimate caller sends here. */
  authorizations: readonly string[];
  /** What the placeholders stand for right now. */
  session: SessionValues;
  /** Signs in again (as the next fuzz user), for when the fuzzer ended the session. */
  renew(): Promise<void>;
}

export interface FuzzTargets {
  authorizationServer: FuzzTarget;
  bff: FuzzTarget;
  demoApi: FuzzTarget;
  close(): Promise<void>;
}

const bffClientSecret = 'fuzz-bff-secret-0123456789abcdefghij';
/** Several accounts: a variant may change a password or delete an account, and renew moves on. */
const fuzzUsers: FuzzUser[] = [
  demoUser,
  ...Array.from({ length: 24 }, (_, i) => ({ email: `fuzz-${i}@example.com`, password: `fuzz user password ${i}` })),
];

/**
 * The authorization server, a BFF against it and the demo API behind both, on loopback with their
 * loggers off; then a real sign-in at each, so the fuzzer holds what a browser and a client would:
 * session cookies, a CSRF token, an interaction id, an ID token, access and refresh tokens.
 */
export async function startFuzzTargets(): Promise<FuzzTargets> {
  const [demoPort, bffPort] = [await freePort(), await freePort()];
  const demoOrigin = `http://127.0.0.1:${demoPort}`;
  const bffOrigin = `http://127.0.0.1:${bffPort}`;
  const bffClient = {
    client_id: 'fuzz-bff',
    client_secret: bffClientSecret,
    client_name: 'Fuzz BFF',
    redirect_uris: [`${bffOrigin}/bff/callback`],
    post_logout_redirect_uris: [`${bffOrigin}/`],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    scope: 'openid profile email offline_access api',
    backchannel_logout_uri: `${bffOrigin}/bff/backchannel-logout`,
    skip_consent: true,
  };
  const as = await startAuthorizationServer({
    resources: [demoOrigin],
    clients: [confidentialClient, publicClient, bffClient],
    users: fuzzUsers.map((user, i) => ({ ...user, name: `Fuzz ${i}` })),
  });
  const demo = await buildDemoApi(loadDemoApiConfig({ issuer: as.issuer, audience: demoOrigin, port: demoPort }), {
    store: openMemoryStore(),
  });
  await demo.listen({ port: demoPort, host: '127.0.0.1' });
  const staticFolder = await mkdtemp(join(tmpdir(), 'gatehouse-fuzz-spa-'));
  await writeFile(join(staticFolder, 'index.html'), '<!doctype html><title>SPA</title><p>app</p>');
  await writeFile(join(staticFolder, 'silent.html'), '<!doctype html><title>silent</title>');
  const bff = await createBff(
    loadBffConfig({
      publicUrl: bffOrigin,
      issuer: as.issuer,
      clientId: bffClient.client_id,
      clientSecret: bffClientSecret,
      scopes: ['openid', 'profile', 'email', 'api'],
      tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
      store: 'memory',
      static: staticFolder,
      frameablePages: ['silent.html'],
      offlineAccess: { enabled: true },
      tokenMediating: { enabled: true },
      routes: [
        { path: '/api', target: demoOrigin, token: 'user', scopes: ['api'] },
        { path: '/client-api', target: demoOrigin, token: 'client', methods: ['GET', 'POST'] },
        { path: '/open-api', target: demoOrigin, token: 'none' },
      ],
    }),
    { store: openMemoryStore() },
  );
  await bff.listen({ port: bffPort, host: '127.0.0.1' });

  let nextUser = 0;
  const takeUser = () => fuzzUsers[nextUser++ % fuzzUsers.length] as FuzzUser;
  /**
   * A sign-in as the next user, trying three: a variant may have changed the last one's password
   * (`/profile/password` is a route like any other). Three refusals in a row are a finding.
   */
  async function signInAsNextUser<T>(signIn: (user: FuzzUser) => Promise<T>): Promise<T> {
    const refusals: string[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        return await signIn(takeUser());
      } catch (error) {
        refusals.push((error as Error).message);
      }
    }
    throw new Error(`no fuzz user can sign in any more:\n${refusals.join('\n')}`);
  }
  const provider = await signInAtProvider(as.issuer, takeUser(), demoOrigin);
  const bffSession = await signInAtBff(bffOrigin, takeUser());
  const basic = `Basic ${Buffer.from(`${confidentialClient.client_id}:${confidentialClient.client_secret}`).toString('base64')}`;
  const asSamples = authorizationServerSamples({ ...provider, demoOrigin, bffClientId: bffClient.client_id });
  const bffSamples: Record<string, Parameters[]> = {
    '/bff/login': [{ returnUrl: '/todos' }, { returnUrl: '/', prompt: 'login' }, { returnUrl: '/', scope: 'openid' }],
    '/bff/silent-login': [{ returnUrl: '/' }],
    '/bff/offline/grant': [{ returnUrl: '/' }],
    '/bff/callback': [{ code: 'not-a-code', state: bffSession.state, iss: as.issuer }],
    '/bff/backchannel-logout': [{ logout_token: provider.idToken }],
    '/bff/token': [{}, { upstream: 'social' }],
    '/api/*': [{ days: '3' }, {}],
  };
  const demoSamples: Record<string, Parameters[]> = {
    '/todos': [{ title: 'Buy milk', done: 'false' }],
    '/todos/:id': [{ title: 'Buy bread', done: 'true' }],
    '/profile': [{ displayName: 'Alice', bio: 'hello' }],
    '/posts': [{ text: 'Hello' }],
    '/scheduled-posts': [{ text: 'Later', delaySeconds: '60' }],
  };

  const authorizationServer: FuzzTarget = {
    name: 'authorization-server',
    app: as.app,
    port: Number(new URL(as.issuer).port),
    origin: as.issuer,
    samples: asSamples,
    knownValues: { ...valuesOf(asSamples), id: [placeholders.interaction], name: ['social'] },
    cookies: [placeholders.cookie],
    authorizations: [basic, `Bearer ${provider.accessToken}`],
    session: { cookie: provider.cookie, csrf: provider.csrf, interaction: provider.interaction },
    async renew() {
      const { signedIn } = await signInAsNextUser((user) => signInOnly(as.issuer, user, demoOrigin));
      Object.assign(this.session, signedIn);
    },
  };
  const bffTarget: FuzzTarget = {
    name: 'bff',
    app: bff,
    port: bffPort,
    origin: bffOrigin,
    samples: bffSamples,
    knownValues: {
      ...valuesOf(bffSamples),
      '*': ['todos', 'weatherforecast', 'todos/00000000-0000-0000-0000-000000000000', 'posts', 'index.html'],
    },
    cookies: [placeholders.cookie],
    authorizations: [],
    session: { cookie: bffSession.cookie, csrf: '', interaction: '' },
    async renew() {
      this.session.cookie = (await signInAsNextUser((user) => signInAtBff(bffOrigin, user))).cookie;
    },
  };
  const demoApi: FuzzTarget = {
    name: 'demo-api',
    app: demo,
    port: demoPort,
    origin: demoOrigin,
    samples: demoSamples,
    knownValues: { ...valuesOf(demoSamples), id: ['00000000-0000-0000-0000-000000000000'] },
    cookies: [],
    authorizations: [`Bearer ${provider.accessToken}`],
    session: { cookie: '', csrf: '', interaction: '' },
    async renew() {}, // bearer tokens only: nothing a request can end
  };
  return {
    authorizationServer,
    bff: bffTarget,
    demoApi,
    async close() {
      await bff.close();
      await demo.close();
      await as.close();
      await rm(staticFolder, { recursive: true, force: true });
    },
  };
}

/** Legitimate requests to the provider's endpoints, from the fuzz sign-in's session and tokens. */
function authorizationServerSamples(known: {
  accessToken: string;
  refreshToken: string;
  idToken: string;
  codeVerifier: string;
  codeChallenge: string;
  demoOrigin: string;
  bffClientId: string;
}): Record<string, Parameters[]> {
  const webApp = { client_id: confidentialClient.client_id, client_secret: confidentialClient.client_secret };
  const [redirectUri = ''] = confidentialClient.redirect_uris;
  const [spaRedirectUri = ''] = publicClient.redirect_uris;
  const [postLogout = ''] = confidentialClient.post_logout_redirect_uris;
  const csrf = placeholders.csrf;
  return {
    '/authorize': [
      {
        client_id: webApp.client_id,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid profile email api offline_access',
        state: 'state-1',
        nonce: 'nonce-1',
        code_challenge: known.codeChallenge,
        code_challenge_method: 'S256',
        resource: known.demoOrigin,
      },
      {
        client_id: publicClient.client_id,
        redirect_uri: spaRedirectUri,
        response_type: 'code',
        scope: 'openid api',
        state: 'state-2',
        code_challenge: known.codeChallenge,
        code_challenge_method: 'S256',
      },
      {
        client_id: webApp.client_id,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'openid',
        prompt: 'none',
        id_token_hint: known.idToken,
        max_age: '0',
        login_hint: demoUser.email,
        response_mode: 'query',
      },
    ],
    '/token': [
      {
        grant_type: 'authorization_code',
        code: 'an-unknown-code',
        redirect_uri: redirectUri,
        code_verifier: known.codeVerifier,
        ...webApp,
      },
      { grant_type: 'refresh_token', refresh_token: known.refreshToken, scope: 'openid api', ...webApp },
      { grant_type: 'client_credentials', scope: 'api', resource: known.demoOrigin, ...webApp },
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: known.accessToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: known.bffClientId,
        ...webApp,
      },
      {
        grant_type: 'client_credentials',
        client_id: webApp.client_id,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: known.idToken,
      },
      {
        grant_type: 'authorization_code',
        code: 'an-unknown-code',
        redirect_uri: spaRedirectUri,
        code_verifier: known.codeVerifier,
        client_id: publicClient.client_id,
      },
    ],
    '/revoke': [{ token: known.accessToken, token_type_hint: 'access_token', ...webApp }],
    '/introspect': [{ token: known.accessToken, token_type_hint: 'refresh_token', ...webApp }],
    '/one-time-code': [{ token: known.accessToken, audience_client_id: publicClient.client_id }],
    '/userinfo': [{}],
    '/logout': [
      { id_token_hint: known.idToken, post_logout_redirect_uri: postLogout, state: 'bye', client_id: webApp.client_id },
    ],
    '/logout/confirm': [
      { csrf, decision: 'logout', client_id: webApp.client_id, post_logout_redirect_uri: postLogout },
    ],
    '/logged-out': [{ client_id: webApp.client_id }],
    '/login': [{ csrf, interaction: placeholders.interaction, email: demoUser.email, password: demoUser.password }],
    '/register': [
      {
        csrf,
        interaction: placeholders.interaction,
        email: 'new-user@example.com',
        password: 'a long enough password',
        name: 'New',
      },
    ],
    '/interaction/:id/consent': [{ csrf, decision: 'allow' }],
    '/profile/name': [{ csrf, name: 'Renamed' }],
    '/profile/password': [{ csrf, current_password: demoUser.password, new_password: 'another long password' }],
    '/profile/revoke': [{ csrf, client_id: webApp.client_id }],
    '/profile/unlink': [{ csrf, upstream: 'social' }],
    '/profile/delete': [{ csrf, confirm: 'KEEP' }],
    '/profile/logout': [{ csrf }],
    '/upstream/:name/start': [{ csrf, interaction: placeholders.interaction, purpose: 'login' }],
  };
}

/** Every value a parameter has in some sample, by name. */
function valuesOf(samples: Readonly<Record<string, readonly Parameters[]>>): Record<string, string[]> {
  const values: Record<string, string[]> = {};
  for (const sample of Object.values(samples).flat()) {
    for (const [name, value] of Object.entries(sample)) {
      values[name] = [...new Set([...(values[name] ?? []), value])];
    }
  }
  return values;
}
