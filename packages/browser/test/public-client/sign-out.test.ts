import { describe, expect, it } from 'vitest';
import { signOut } from '../../src/public-client/sign-out.js';
import { clientId, fakeEnvironment, metadata, signedInTokens, start } from './fake-environment.js';

describe('sign out', () => {
  it('forgets the tokens and goes to the end-session endpoint with the ID token as a hint', async () => {
    const { context, env } = fakeEnvironment();
    const tokens = signedInTokens(start);
    context.memory.tokens = tokens;
    await signOut(context);
    expect(context.memory.tokens).toBeUndefined();
    const url = new URL(env.navigations[0] as string);
    expect(`${url.origin}${url.pathname}`).toBe(metadata.end_session_endpoint);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      id_token_hint: tokens.idToken,
      client_id: clientId,
      post_logout_redirect_uri: 'https://app.test/', // this origin's root by default
    });
  });

  it('comes back to the post-logout redirect URI it is given, with no hint when signed out already', async () => {
    const { context, env } = fakeEnvironment({ settings: { postLogoutRedirectUri: 'https://app.test/bye' } });
    await signOut(context);
    const params = new URL(env.navigations[0] as string).searchParams;
    expect(params.get('post_logout_redirect_uri')).toBe('https://app.test/bye');
    expect(params.has('id_token_hint')).toBe(false);
  });

  it('forgets the tokens and stays when the provider has no end-session endpoint', async () => {
    const { end_session_endpoint: _, ...withoutEndSession } = metadata;
    const { context, env } = fakeEnvironment({ discovery: () => Response.json(withoutEndSession) });
    context.memory.tokens = signedInTokens(start);
    await signOut(context);
    expect(context.memory.tokens).toBeUndefined();
    expect(env.navigations).toEqual([]);
  });
});
