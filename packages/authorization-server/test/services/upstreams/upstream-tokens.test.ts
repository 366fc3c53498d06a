import { confidentialClient } from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Federation,
  formEndingWith,
  sam,
  signInThrough,
  startFederation,
  tokenExchange,
} from '../../federation-harness.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

// The users' upstream tokens: kept sealed on the server, refreshed once when due, marked for
// reconnection when the upstream refuses them, used only below the upstream's API base (with
// appsecret_proof), and handed to allowed confidential clients by token exchange.
describe('upstream tokens', () => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation();
  });
  afterAll(() => federation?.close());

  it('calls the upstream API as the user with appsecret_proof, and only below apiBaseUrl', async () => {
    const { claims } = await signInThrough(federation, 'social', sam.id);
    const sub = claims.sub as string;
    const me = await federation.as.app.upstreams.fetch(sub, 'social', `${federation.social.url}/me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: sam.id, name: sam.name });
    const posts = await federation.as.app.upstreams.fetch(sub, 'social', `${federation.social.url}/me/posts`);
    expect(((await posts.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    for (const outside of [
      `${federation.social.url}/oauth/token`,
      `${federation.social.url}/me/../oauth/token`,
      `${federation.social.url}/meow`,
      `http://localhost:${new URL(federation.social.url).port}/me`,
      'https://evil.example/me',
      '/me',
    ]) {
      await expect(federation.as.app.upstreams.fetch(sub, 'social', outside)).rejects.toMatchObject({
        reason: 'url_not_allowed',
      });
    }
    await expect(federation.as.app.upstreams.credentials(sub, 'corp')).rejects.toMatchObject({ reason: 'not_linked' });
    // An upstream without apiBaseUrl has no API to call.
    await expect(federation.as.app.upstreams.fetch(sub, 'corp', `${federation.corp.issuer}/me`)).rejects.toMatchObject({
      reason: 'url_not_allowed',
    });
  });

  it('without the proof the profile API refuses the call', async () => {
    const { claims } = await signInThrough(federation, 'social', sam.id);
    const { accessToken, appsecretProof } = await federation.as.app.upstreams.credentials(
      claims.sub as string,
      'social',
    );
    expect(appsecretProof).toMatch(/^[0-9a-f]{64}$/);
    const missing = await fetch(`${federation.social.url}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(missing.status).toBe(400);
    const wrong = await fetch(`${federation.social.url}/me?appsecret_proof=${'0'.repeat(64)}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(wrong.status).toBe(403);
    const right = await fetch(`${federation.social.url}/me?appsecret_proof=${appsecretProof}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(right.status).toBe(200);
  });

  it('refreshes a token near expiry once for many concurrent calls, then marks a revoked grant for reconnection', async () => {
    const { claims, browser } = await signInThrough(federation, 'social', sam.id);
    const sub = claims.sub as string;
    const before = federation.social.provider.counts.refreshToken;
    federation.clock.now += 3600_000; // Example Social's tokens last an hour
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => federation.as.app.upstreams.fetch(sub, 'social', `${federation.social.url}/me`)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(federation.social.provider.counts.refreshToken).toBe(before + 1);

    federation.social.provider.revokeUser(sam.id);
    federation.clock.now += 3600_000;
    await expect(federation.as.app.upstreams.fetch(sub, 'social', `${federation.social.url}/me`)).rejects.toMatchObject(
      {
        reason: 'reconsent_required',
      },
    );
    // The mark sticks (no more refresh attempts) and the profile offers to reconnect.
    const attempts = federation.social.provider.counts.refreshToken;
    await expect(federation.as.app.upstreams.credentials(sub, 'social')).rejects.toMatchObject({
      reason: 'reconsent_required',
    });
    expect(federation.social.provider.counts.refreshToken).toBe(attempts);
    const page = await (await browser.navigate(`${federation.issuer}/profile`)).text();
    expect(page).toContain('Needs reconnecting');
    expect(page).toContain('Reconnect Example Social');
    federation.clock.now = Date.now();
  });

  it('hands the upstream token to an allowed confidential client by token exchange, and to no one else', async () => {
    const { tokens } = await signInThrough(federation, 'social', sam.id);
    const exchange = (client: { id: string; secret: string }, fields: Record<string, string>) =>
      fetch(`${federation.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(client.id, client.secret),
        },
        body: new URLSearchParams({
          grant_type: tokenExchange,
          subject_token: tokens.access_token,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          ...fields,
        }),
      });
    const webApp = { id: confidentialClient.client_id, secret: confidentialClient.client_secret };
    const ok = await exchange(webApp, { audience: 'upstream:social' });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      token_type: 'Bearer',
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    expect(body.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
    expect(body.expires_in).toBeGreaterThan(3000);
    const me = await fetch(`${federation.social.url}/me?appsecret_proof=${body.appsecret_proof}`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(me.status).toBe(200);

    expect(await (await exchange(webApp, { audience: 'upstream:corp' })).json()).toMatchObject({
      error: 'invalid_target',
    });
    expect(await (await exchange(webApp, { audience: 'upstream:nope' })).json()).toMatchObject({
      error: 'invalid_target',
    });
    expect(await (await exchange(webApp, { audience: 'upstream:social', scope: 'x' })).json()).toMatchObject({
      error: 'invalid_request',
    });
    // Another client's subject token is refused before any upstream is considered.
    const other = { id: 'other-app', secret: 'other-app-secret-0123456789abcdefghij' };
    expect(await (await exchange(other, { audience: 'upstream:social' })).json()).toMatchObject({
      error: 'invalid_request',
    });
  });

  it('deletes the links and upstream tokens with the account', async () => {
    const { claims, browser } = await signInThrough(federation, 'social', sam.id);
    const sub = claims.sub as string;
    const page = await (await browser.navigate(`${federation.issuer}/profile`)).text();
    const form = formEndingWith(page, `${federation.issuer}/profile`, '/profile/delete');
    const refused = await browser.post(form.action, { ...form.fields, confirm: 'nope' });
    expect(refused.status).toBe(400);
    const deleted = await browser.post(form.action, { ...form.fields, confirm: 'DELETE' });
    expect(deleted.status).toBe(303);
    await expect(federation.as.app.upstreams.fetch(sub, 'social', `${federation.social.url}/me`)).rejects.toMatchObject(
      {
        reason: 'not_linked',
      },
    );
    expect(await federation.as.app.upstreams.links(sub)).toEqual([]);
    // Signing in with the upstream again makes a new account: nothing of the old one is left.
    expect((await signInThrough(federation, 'social', sam.id)).claims.sub).not.toBe(sub);
  });
});
