import { createHash, randomBytes } from 'node:crypto';
import { confidentialClient, parseForm, TestBrowser } from '@gatehouse/test-kit';

export interface FuzzUser {
  email: string;
  password: string;
}

/**
 * A sign-in and a code flow at the provider with the confidential client, as a browser would: the
 * provider session's cookies, the CSRF token of its forms, a pending interaction bound to this
 * browser, and the tokens.
 */
export async function signInAtProvider(issuer: string, user: FuzzUser, resource: string) {
  const { signedIn, codeVerifier, codeChallenge, callback, redirectUri } = await signInOnly(issuer, user, resource);
  const tokenResponse = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${confidentialClient.client_id}:${confidentialClient.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      code_verifier: codeVerifier,
    }),
  });
  const tokens = (await tokenResponse.json()) as { access_token?: string; refresh_token?: string; id_token?: string };
  if (!tokens.access_token || !tokens.refresh_token || !tokens.id_token) {
    throw new Error(`the provider issued no tokens to the fuzz set-up: ${JSON.stringify(tokens)}`);
  }
  return {
    ...signedIn,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    idToken: tokens.id_token,
    codeVerifier,
    codeChallenge,
  };
}

/**
 * The browser half alone: signed in, a pending interaction, the CSRF token. Renewing needs no
 * tokens, and must not depend on the client's own credentials being accepted after a flood of
 * wrong ones from elsewhere.
 */
export async function signInOnly(issuer: string, user: FuzzUser, resource: string) {
  const browser = new TestBrowser();
  const codeVerifier = randomBytes(32).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  const [redirectUri] = confidentialClient.redirect_uris as [string];
  const authorization = new URL(`${issuer}/authorize`);
  for (const [name, value] of Object.entries({
    client_id: confidentialClient.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile email api offline_access',
    state: 'fuzz-state',
    nonce: 'fuzz-nonce',
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    resource,
  })) {
    authorization.searchParams.set(name, value);
  }
  const callback = await authorizeAs(browser, authorization.href, redirectUri, user);
  // A pending interaction, bound to this browser: the fuzzer posts to it with this browser's cookies.
  const pending = new URL(authorization);
  pending.searchParams.set('prompt', 'login');
  const interaction = /\/interaction\/([^/?#]+)/.exec((await browser.follow(pending.href, redirectUri)).url)?.[1];
  const profile = await (await browser.navigate(`${issuer}/profile`)).text();
  const form = /<form[\s\S]*?<\/form>/.exec(profile)?.[0];
  const csrf = form ? (parseForm(form, `${issuer}/profile`).fields.csrf ?? '') : '';
  const signedIn = {
    cookie: browser.cookieHeader(issuer),
    csrf,
    interaction: interaction ?? 'no-interaction',
  };
  return { signedIn, codeVerifier, codeChallenge, callback, redirectUri };
}

/**
 * `TestBrowser.authorize`, saying what the page said when it fails: a renewing sign-in comes
 * after thousands of hostile requests, and why it was refused is the first thing to know.
 */
async function authorizeAs(browser: TestBrowser, url: string, redirectUri: string, user: FuzzUser): Promise<URL> {
  try {
    return await browser.authorize(url, redirectUri, user);
  } catch (error) {
    const page = await (await browser.navigate(url)).text();
    const said = /<main[\s\S]*<\/main>/
      .exec(page)?.[0]
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    throw new Error(
      `signing in ${user.email} failed (${(error as Error).message.slice(0, 60)}): ${said ?? page.slice(0, 200)}`,
    );
  }
}

/** A sign-in through the BFF (the provider's pages by a scripted browser): the BFF session cookie. */
export async function signInAtBff(bffOrigin: string, user: FuzzUser) {
  const providerBrowser = new TestBrowser();
  const browser = new TestBrowser({ origin: bffOrigin });
  // A browser navigation (the BFF refuses anything else for a sign-in start).
  const start = await browser.navigate('/bff/login?returnUrl=/todos');
  const location = new URL(start.headers.get('location') ?? '', bffOrigin).href;
  if (!location.startsWith('http') || new URL(location).origin === bffOrigin) {
    throw new Error(`the BFF did not start a sign-in: ${start.status} ${location}`);
  }
  const state = new URL(location).searchParams.get('state') ?? '';
  const callback = await authorizeAs(providerBrowser, location, `${bffOrigin}/bff/callback`, user);
  const landing = await browser.navigate(callback.href, { from: location });
  const session = browser.cookieNames().find((name) => name.includes('session'));
  if (!session || landing.status >= 400) throw new Error(`the BFF sign-in failed: ${landing.status}`);
  const check = await browser.fetch('/bff/user', { csrf: true });
  if (check.status !== 200) throw new Error(`the BFF session does not work: ${check.status}`);
  return { cookie: `${session}=${browser.cookie(session)}`, state };
}
