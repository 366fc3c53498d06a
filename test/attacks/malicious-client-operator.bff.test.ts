import {
  type BffOnScriptedProvider,
  scriptedBffClient as bffClient,
  type IdTokenScript,
  startBffOnScriptedProvider,
  TestBrowser,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The attacker operates another client registered at the same provider as the BFF. ID tokens that
 * name their client too — as an extra audience, or as the party the token was issued to (`azp`) —
 * must never sign anybody in at the BFF (OpenID Connect Core §3.1.3.7, steps 3–5), and neither may
 * anything the provider signed with another key and algorithm than it uses for the BFF's ID tokens
 * (such as the ES256 access tokens it issues to the attacker's client).
 */

const attackerClient = 'malicious-client';

let running: BffOnScriptedProvider;
let provider: BffOnScriptedProvider['provider'];
let origin: string;

beforeAll(async () => {
  running = await startBffOnScriptedProvider();
  ({ provider, origin } = running);
});
afterAll(() => running?.close());

/** A whole sign-in whose ID token follows `script`; returns where it landed and the browser. */
async function signInWith(script: IdTokenScript) {
  const browser = new TestBrowser({ origin: origin });
  const start = await browser.navigate('/bff/login?returnUrl=/');
  const landing = await browser.navigate(provider.approve(start.headers.get('location') as string, script).href, {
    from: provider.issuer,
  });
  return { browser, landing };
}

function expectRefused({ browser, landing }: Awaited<ReturnType<typeof signInWith>>) {
  expect(landing.status).toBe(303);
  expect(landing.headers.get('location')).toBe('/authentication/login-failed?error=login_failed');
  expect(browser.cookie('__Host-gh-session')).toBeUndefined();
}

describe('a malicious client operator', () => {
  it('watches an honest sign-in succeed (the provider is real, the setup sound)', async () => {
    const { browser, landing } = await signInWith({});
    expect(landing.status).toBe(200);
    expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(200);
  });

  it('cannot sign a user in with an ID token also addressed to their own client', async () => {
    expectRefused(await signInWith({ claims: { aud: [bffClient.clientId, attackerClient], azp: bffClient.clientId } }));
  });

  it('cannot sign a user in with an ID token issued to their own client, though addressed to the BFF', async () => {
    expectRefused(await signInWith({ claims: { aud: bffClient.clientId, azp: attackerClient } }));
    expectRefused(await signInWith({ claims: { aud: [bffClient.clientId, attackerClient], azp: attackerClient } }));
  });

  it('cannot sign a user in with a token the provider signed with its access-token key and algorithm', async () => {
    expectRefused(await signInWith({ signWith: 'accessToken' }));
  });
});
