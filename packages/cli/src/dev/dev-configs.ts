import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import type { DevSecrets } from './dev-secrets.js';

export interface DevLayout {
  /** Host name in every URL (`localhost`); the servers listen on `listenHost`. */
  hostName: string;
  listenHost: string;
  asPort: number;
  apiPort: number;
  bffPort: number;
  /** Example Social, the demo's upstream provider ("Continue with Example Social"). */
  upstreamPort: number;
  stateDir: string;
  /** Access-token lifetime at the provider, in seconds. */
  accessTokenTtlSeconds: number;
}

export const demoUserEmail = 'demo@gatehouse.test';

export function devUrls(layout: DevLayout) {
  return {
    issuer: `http://${layout.hostName}:${layout.asPort}`,
    apiUrl: `http://${layout.hostName}:${layout.apiPort}`,
    bffOrigin: `http://${layout.hostName}:${layout.bffPort}`,
    upstreamUrl: `http://${layout.hostName}:${layout.upstreamPort}`,
  };
}

/** Example Social's demo users: each is a "Continue as …" button on its consent page. */
export const socialUsers = [
  { id: '1001', name: 'Sam Social', email: 'sam@social.example', emailVerified: true },
  { id: '1002', name: 'Robin Example', email: 'robin@social.example', emailVerified: false },
];

/** The three configurations of the demo: provider, API and BFF, wired to each other. */
export function devConfigs(layout: DevLayout, secrets: DevSecrets) {
  const { issuer, apiUrl, bffOrigin, upstreamUrl } = devUrls(layout);
  // Derived, not stored: older state folders keep working, and it is as secret as the cookie secret.
  const socialClientSecret = createHmac('sha256', secrets.cookieSecret)
    .update('example-social-client')
    .digest('base64url');
  const social = {
    clients: [
      {
        clientId: 'gatehouse-demo',
        clientSecret: socialClientSecret,
        redirectUris: [`${issuer}/upstream/social/callback`],
      },
    ],
    users: socialUsers,
  };
  const authorizationServer = {
    issuer,
    port: layout.asPort,
    host: layout.listenHost,
    store: `sqlite:${join(layout.stateDir, 'as.db')}`,
    cookieSecrets: [secrets.cookieSecret],
    accessTokenTtlSeconds: layout.accessTokenTtlSeconds,
    // The shortest delay allowed (JWKS max-age + key reload), so a demo's rotated keys sign soon.
    keyActivationDelaySeconds: 360,
    resources: [apiUrl],
    upstreams: [
      {
        name: 'social',
        displayName: 'Example Social',
        type: 'oauth2',
        authorizationEndpoint: `${upstreamUrl}/oauth/authorize`,
        tokenEndpoint: `${upstreamUrl}/oauth/token`,
        profileUrl: `${upstreamUrl}/me`,
        clientId: 'gatehouse-demo',
        clientSecret: socialClientSecret,
        apiBaseUrl: `${upstreamUrl}/me`,
        appsecretProof: true,
      },
    ],
    clients: [
      {
        client_id: 'demo-bff',
        client_secret: secrets.bffClientSecret,
        client_name: 'Gatehouse demo',
        redirect_uris: [`${bffOrigin}/bff/callback`],
        post_logout_redirect_uris: [`${bffOrigin}/authentication/logged-out`],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        scope: 'openid profile email offline_access api',
        backchannel_logout_uri: `${bffOrigin}/bff/backchannel-logout`,
        // The "Social" page: the BFF exchanges the user's token for their Example Social token.
        upstream_tokens: ['social'],
      },
      {
        client_id: 'demo-spa',
        client_name: 'Gatehouse demo (no backend)',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${bffOrigin}/public-client.html`, `${bffOrigin}/silent-callback.html`],
        post_logout_redirect_uris: [`${bffOrigin}/public-client.html`],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid profile api',
        allowed_cors_origins: [bffOrigin],
        skip_consent: true,
      },
    ],
    users: [{ email: demoUserEmail, password: secrets.demoPassword, name: 'Demo User' }],
  };
  const api = {
    issuer,
    audience: apiUrl,
    port: layout.apiPort,
    store: `sqlite:${join(layout.stateDir, 'api.db')}`,
    corsOrigins: [bffOrigin],
  };
  const bff = {
    port: layout.bffPort,
    host: layout.listenHost,
    publicUrl: bffOrigin,
    issuer,
    clientId: 'demo-bff',
    clientSecret: secrets.bffClientSecret,
    scopes: ['openid', 'profile', 'email', 'api'],
    store: `sqlite:${join(layout.stateDir, 'bff.db')}`,
    tokenEncryptionKeys: [secrets.tokenEncryptionKey],
    static: join(layout.stateDir, 'web'),
    // The public-client page's silent sign-in runs in a frame of this page.
    frameablePages: ['silent-callback.html'],
    postLogoutRedirectPath: '/authentication/logged-out',
    // The "schedule a post" page: the user may let a worker post for them while they are away.
    offlineAccess: { enabled: true },
    upstreams: [{ name: 'social', apiBaseUrl: `${upstreamUrl}/me` }],
    routes: [
      { path: '/api', target: apiUrl, token: 'user', scopes: ['api'] },
      // Example Social's API as the user: the BFF attaches their upstream token and appsecret_proof.
      { path: '/social', target: `${upstreamUrl}/me`, token: 'upstream:social', methods: ['GET'] },
    ],
  };
  /** What the SPA reads at start (`/demo-config.json`): where the provider and the API are. */
  const web = {
    issuer,
    apiUrl,
    publicClientId: 'demo-spa',
    // The same API under another origin: the public client must not send its token there.
    foreignUrl: `http://127.0.0.1:${layout.apiPort}`,
  };
  return { authorizationServer, api, bff, web, social };
}
