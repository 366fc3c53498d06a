import {
  type BffOnScriptedProvider,
  type IdTokenScript,
  startBffOnScriptedProvider,
  TestBrowser,
} from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The attacker is a stranger posting logout tokens to the BFF's back-channel logout endpoint — which
 * takes no cookie and no CSRF header, only the token — to sign users out. Tokens the provider could
 * have signed but that break Back-Channel Logout 1.0 must be refused with 400 and end nothing: one
 * without `exp` (§2.4 requires it; such a token never stops being acceptable by its own claims),
 * and one signed with a key and algorithm other than those of the provider's ID tokens to this
 * client (the OpenID RP conformance "wrong alg" case; here the provider's ES256 access-token key).
 */

let running: BffOnScriptedProvider;
let provider: BffOnScriptedProvider['provider'];
let origin: string;

beforeAll(async () => {
  running = await startBffOnScriptedProvider();
  ({ provider, origin } = running);
});
afterAll(() => running?.close());

/** A signed-in victim whose provider session is `sid`. */
async function victimSignedIn(sid: string) {
  const browser = new TestBrowser({ origin: origin });
  const start = await browser.navigate('/bff/login?returnUrl=/');
  const callback = provider.approve(start.headers.get('location') as string, { claims: { sid } });
  expect((await browser.navigate(callback.href, { from: provider.issuer })).status).toBe(200);
  expect((await browser.fetch('/bff/user', { csrf: true })).status).toBe(200);
  return browser;
}

async function postLogoutToken(script: IdTokenScript) {
  return fetch(`${origin}/bff/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: await provider.logoutToken(script) }),
  });
}

async function expectRefusedAndVictimSignedIn(response: Response, victim: TestBrowser) {
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  expect((await victim.fetch('/bff/user', { csrf: true })).status).toBe(200);
}

describe('a stranger replaying logout tokens', () => {
  it('cannot sign a user out with a logout token that never expires', async () => {
    const victim = await victimSignedIn('sid-no-exp');
    await expectRefusedAndVictimSignedIn(
      await postLogoutToken({ claims: { sid: 'sid-no-exp', exp: undefined } }),
      victim,
    );
  });

  it('cannot sign a user out with a logout token signed with another algorithm than the ID tokens', async () => {
    const victim = await victimSignedIn('sid-wrong-alg');
    await expectRefusedAndVictimSignedIn(
      await postLogoutToken({ claims: { sid: 'sid-wrong-alg' }, signWith: 'accessToken' }),
      victim,
    );
  });

  it('sees the provider’s own, well-formed logout token end the session (the setup is sound)', async () => {
    const victim = await victimSignedIn('sid-valid');
    const response = await postLogoutToken({ claims: { sid: 'sid-valid' } });
    expect(response.status).toBe(200);
    expect((await victim.fetch('/bff/user', { csrf: true })).status).toBe(401);
  });
});
