// Scripted sign-ins for the authorization-server benchmark: an authorization-code flow with PKCE
// driven through the provider's own HTML forms (a generic form follower, so the same code signs in
// at Gatehouse and at oidc-provider's devInteractions), ending in a token response with a refresh
// token. Each sign-in uses a fresh cookie jar, so every refresh-token chain has its own session and
// grant.
import { createHash, randomBytes } from 'node:crypto';

/**
 * The discovery document of `issuer`.
 *
 * @param {string} issuer
 * @returns {Promise<Record<string, any>>}
 */
export async function discover(issuer) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (response.status !== 200) throw new Error(`${issuer}: discovery answered ${response.status}`);
  return response.json();
}

/** `Authorization: Basic` for a client (RFC 6749 §2.3.1: each part form-encoded first). */
export function basicAuth(clientId, clientSecret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
}

/**
 * Signs in `count` times (a few at once) and returns one refresh token per sign-in.
 *
 * @param {SignInOptions} options
 * @param {number} count
 * @param {number} [parallel]
 * @returns {Promise<string[]>}
 */
export async function refreshTokens(options, count, parallel = 5) {
  const tokens = [];
  const worker = async () => {
    while (tokens.length + running < count) {
      running += 1;
      const response = await signIn(options);
      running -= 1;
      tokens.push(response.refresh_token);
    }
  };
  let running = 0;
  await Promise.all(Array.from({ length: parallel }, worker));
  return tokens;
}

/**
 * @typedef {{ discovery: Record<string, any>, clientId: string, clientSecret: string, redirectUri: string,
 *             scope: string, email: string, password: string, authorizationParams?: Record<string, string> }} SignInOptions
 */

/**
 * One authorization-code flow with PKCE through the provider's forms; returns the token response,
 * which must carry a refresh token.
 *
 * @param {SignInOptions} options
 */
export async function signIn(options) {
  const { discovery, redirectUri } = options;
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorization = new URL(discovery.authorization_endpoint);
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: redirectUri,
    scope: options.scope,
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...options.authorizationParams,
  }))
    authorization.searchParams.set(name, value);

  const callback = await followToRedirectUri(authorization, options);
  if (callback.searchParams.get('state') !== state) throw new Error(`sign-in came back without our state: ${callback}`);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`sign-in came back without a code: ${callback}`);

  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: basicAuth(options.clientId, options.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`code redemption answered ${response.status}: ${text.slice(0, 300)}`);
  const tokens = JSON.parse(text);
  if (typeof tokens.refresh_token !== 'string') throw new Error(`code redemption gave no refresh token: ${text}`);
  return tokens;
}

/**
 * Follows redirects and submits each page's first form until the provider redirects to the
 * client's redirect URI; returns that URL.
 *
 * @param {URL} start
 * @param {SignInOptions} options
 */
export async function followToRedirectUri(start, options) {
  const jar = new Map();
  /** @type {{ url: URL, init: RequestInit }} */
  let next = { url: start, init: { method: 'GET' } };
  for (let step = 0; step < 16; step += 1) {
    // Cookies are Secure; on loopback over http we send them back ourselves.
    const response = await fetch(next.url, {
      ...next.init,
      redirect: 'manual',
      headers: { ...next.init.headers, cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    remember(jar, response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      if (location.startsWith(options.redirectUri)) return new URL(location);
      next = { url: new URL(location, next.url), init: { method: 'GET' } };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`${next.url.pathname} answered ${response.status}: ${html.slice(0, 300)}`);
    const form = parseForm(html, next.url);
    if (!form) throw new Error(`${next.url.pathname}: a page without a form: ${html.slice(0, 300)}`);
    next = {
      url: form.action,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: fillForm(form.fields, options).toString(),
      },
    };
  }
  throw new Error('too many steps before the redirect back to the client');
}

/** Keeps Set-Cookie name=value pairs; drops cookies the server clears. */
function remember(jar, response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const cleared = attributes.some((attribute) => {
      const [key, val = ''] = attribute.trim().split('=');
      return (
        (key.toLowerCase() === 'max-age' && Number(val) <= 0) ||
        (key.toLowerCase() === 'expires' && Date.parse(val) < Date.now())
      );
    });
    if (cleared || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}

/**
 * The page's first `<form>`: its action (relative to the page) and its fields, as
 * `{ name, value, type, tag }` in document order.
 *
 * @param {string} html
 * @param {URL} pageUrl
 */
export function parseForm(html, pageUrl) {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return undefined;
  const action = attributes(match[1]).action;
  const fields = [...match[2].matchAll(/<(input|button)\b([^>]*)>/gi)].map(([, tag, attrs]) => {
    const attributeMap = attributes(attrs);
    return {
      tag: tag.toLowerCase(),
      name: attributeMap.name,
      value: attributeMap.value ?? '',
      type: (attributeMap.type ?? (tag.toLowerCase() === 'button' ? 'submit' : 'text')).toLowerCase(),
    };
  });
  return { action: new URL(action ?? '', pageUrl), fields };
}

/** The attributes of one tag, with `&amp;` and friends unescaped. */
function attributes(source) {
  const result = {};
  for (const [, name, doubleQuoted, singleQuoted, bare] of source.matchAll(
    /([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g,
  ))
    result[name.toLowerCase()] = unescapeHtml(doubleQuoted ?? singleQuoted ?? bare ?? '');
  return result;
}

function unescapeHtml(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&#x0*27;|&apos;/gi, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x2f;|&#0*47;/gi, '/')
    .replace(/&amp;/g, '&');
}

/**
 * The body to submit: hidden and prefilled fields as they are, the user's credentials in
 * `email`/`login` and `password`, and `decision=allow` when the form asks for a decision.
 */
function fillForm(fields, { email, password }) {
  const body = new URLSearchParams();
  for (const field of fields) {
    if (!field.name || field.type === 'submit') continue;
    if (field.name === 'email' || field.name === 'login') body.set(field.name, email);
    else if (field.name === 'password') body.set(field.name, password);
    else body.append(field.name, field.value);
  }
  if (fields.some((field) => field.type === 'submit' && field.name === 'decision')) body.set('decision', 'allow');
  return body;
}
