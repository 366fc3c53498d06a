import { openRedisStore } from '@gatehouse/store';
import {
  type AuthorizationServerUnderTest,
  authorizationUrl,
  clientsWith,
  listenAuthorizationServer,
  pkcePair,
  redisUrl,
  requireService,
  runScopedName,
  sessionCookie,
  signInAtLoginPage,
  TestBrowser,
} from '@gatehouse/test-kit';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The attacker holds a stolen session at one of the user's applications and counts on it outliving the
 * user's sign-out: the provider's logout reaches only the clients its session recorded, so a client
 * dropped from that record keeps its session alive.
 */

let server: AuthorizationServerUnderTest;
afterEach(async () => {
  await server?.close();
});

const apps = ['app-a', 'app-b', 'app-c', 'app-d'].map((client_id) => ({
  client_id,
  redirect_uris: [`http://127.0.0.1:9999/${client_id}/callback`],
  token_endpoint_auth_method: 'none',
  scope: 'openid',
  skip_consent: true,
}));

describe('the holder of a stolen session at one of the user’s apps', () => {
  it('is not left out of sign-out because several apps got codes from the provider session at once', async () => {
    if (!(await requireService('Redis', redisUrl))) return;
    // A store with real round trips, as in production, where a read-then-write can interleave.
    const store = await openRedisStore(redisUrl, { keyPrefix: `${runScopedName('attack')}:` });
    server = await listenAuthorizationServer({ clients: clientsWith(...apps) }, { store: () => store });
    const user = new TestBrowser();
    expect((await signInAtLoginPage(server, user)).status).toBe(303);
    // Every app of the user opens at once (a portal with several tabs): each is recorded in the session.
    const answers = await Promise.all(
      apps.map((app) =>
        user.navigate(
          authorizationUrl(server.issuer, {
            response_type: 'code',
            client_id: app.client_id,
            redirect_uri: app.redirect_uris[0] as string,
            scope: 'openid',
            state: 's',
            code_challenge: pkcePair().challenge,
            code_challenge_method: 'S256',
          }),
        ),
      ),
    );
    for (const answer of answers)
      expect(new URL(answer.headers.get('location') as string).searchParams.get('code')).toBeTruthy();
    const recorded = await recordedClients(server, user);
    expect([...recorded].sort()).toEqual(apps.map((app) => app.client_id).sort());
  });
});

/** The clients the browser's provider session recorded (what logout will notify). */
async function recordedClients(server: AuthorizationServerUnderTest, browser: TestBrowser): Promise<string[]> {
  const signed = browser.cookie(sessionCookie, server.issuer);
  const id = signed?.slice(0, signed.lastIndexOf('.'));
  const session = id ? await server.store.get<{ clients: string[] }>('provider-sessions', id) : undefined;
  return session?.clients ?? [];
}
