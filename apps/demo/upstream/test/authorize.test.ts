import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ada,
  alan,
  app,
  authorizeUrl,
  newPkce,
  openConsentPage,
  startTestProvider,
  submitConsent,
  type TestProvider,
} from './social-client.js';

describe('authorization endpoint', () => {
  let social: TestProvider;
  beforeAll(async () => {
    social = await startTestProvider();
  });
  afterAll(() => social.close());

  it('shows a consent page offering each user and Cancel, with a strict CSP and no caching', async () => {
    const { response, html, requestId } = await openConsentPage(authorizeUrl(social.url, newPkce().challenge));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://localhost:4000; frame-ancestors 'none'",
    );
    expect(requestId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(html).toContain('wants to see your profile and posts');
    expect(html).toContain(`<button type="submit" name="user" value="${ada.id}">Continue as Ada Lovelace</button>`);
    expect(html).toContain('<button type="submit" name="decision" value="deny">');
  });

  it('escapes what it shows', async () => {
    const { html } = await openConsentPage(authorizeUrl(social.url, newPkce().challenge));
    expect(html).toContain('Continue as Alan &lt;b&gt;Turing&lt;/b&gt;');
    expect(html).not.toContain('<b>Turing');
    expect(alan.name).toContain('<b>');
  });

  it('redirects back with a code and the state when the user continues', async () => {
    const { requestId } = await openConsentPage(authorizeUrl(social.url, newPkce().challenge));
    const { response, location } = await submitConsent(social.url, requestId as string, { user: ada.id });
    expect(response.status).toBe(303);
    expect(location?.origin + (location?.pathname ?? '')).toBe(app.redirectUris[0]);
    expect(location?.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location?.searchParams.get('state')).toBe('state-123');
  });

  it('redirects back with access_denied and the state when the user cancels', async () => {
    const { requestId } = await openConsentPage(authorizeUrl(social.url, newPkce().challenge));
    const { response, location } = await submitConsent(social.url, requestId as string, { decision: 'deny' });
    expect(response.status).toBe(303);
    expect(location?.searchParams.get('error')).toBe('access_denied');
    expect(location?.searchParams.get('state')).toBe('state-123');
    expect(location?.searchParams.has('code')).toBe(false);
  });

  it('accepts each consent form once', async () => {
    const { requestId } = await openConsentPage(authorizeUrl(social.url, newPkce().challenge));
    await submitConsent(social.url, requestId as string, { user: ada.id });
    const again = await submitConsent(social.url, requestId as string, { user: ada.id });
    expect(again.response.status).toBe(400);
    expect(again.location).toBeUndefined();
  });

  it('refuses a consent form older than ten minutes', async () => {
    const { requestId } = await openConsentPage(authorizeUrl(social.url, newPkce().challenge));
    social.clock.now += 10 * 60_000 + 1;
    const late = await submitConsent(social.url, requestId as string, { user: ada.id });
    expect(late.response.status).toBe(400);
    expect(late.response.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('refuses an unknown request id or user with a page', async () => {
    expect((await submitConsent(social.url, 'made-up', { user: ada.id })).response.status).toBe(400);
    const { requestId } = await openConsentPage(authorizeUrl(social.url, newPkce().challenge));
    const unknownUser = await submitConsent(social.url, requestId as string, { user: 'nobody' });
    expect(unknownUser.response.status).toBe(400);
    expect(unknownUser.location).toBeUndefined();
  });

  it.each([
    ['an unknown client', { client_id: 'unknown' }],
    ['a missing client_id', { client_id: undefined }],
    ['an unregistered redirect_uri', { redirect_uri: 'http://localhost:4000/other' }],
    ['a redirect_uri that only starts like a registered one', { redirect_uri: `${app.redirectUris[0]}/more` }],
    ['a missing redirect_uri', { redirect_uri: undefined }],
  ])('shows an error page and never redirects for %s', async (_case, overrides) => {
    const response = await fetch(authorizeUrl(social.url, newPkce().challenge, overrides), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('shows an error page for a repeated parameter (RFC 6749 §3.1), which names no trustworthy target', async () => {
    const url = `${authorizeUrl(social.url, newPkce().challenge).href}&client_id=${app.clientId}`;
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it.each([
    ['an unsupported response_type', { response_type: 'token' }, 'unsupported_response_type'],
    ['a missing response_type', { response_type: undefined }, 'invalid_request'],
    ['no PKCE', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['PKCE without a method', { code_challenge_method: undefined }, 'invalid_request'],
    ['a malformed code_challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['a malformed scope', { scope: 'a  b' }, 'invalid_scope'],
  ])('redirects %s back as an OAuth error with the state', async (_case, overrides, error) => {
    const response = await fetch(authorizeUrl(social.url, newPkce().challenge, overrides), { redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') as string);
    expect(location.origin + location.pathname).toBe(app.redirectUris[0]);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('error_description')).toBeTruthy();
    expect(location.searchParams.get('state')).toBe('state-123');
  });

  it('refuses a consent form that is not form-urlencoded with a page', async () => {
    const response = await fetch(new URL('/oauth/authorize', social.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request: 'x', user: ada.id }),
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
