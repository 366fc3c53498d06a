import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBff, loadBffConfig } from '@gatehouse/bff';
import { freePort, loginAtProvider, type ProviderPeer, startProviderPeer, TestBrowser } from '@gatehouse/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The attacker reads a copy of the BFF's store — a backup, a replica, the SQLite file — but holds
 * no token-encryption key. Nothing in it may be usable: no PKCE verifier or nonce of a login in
 * progress (with a code caught from the redirect, a verifier redeems it), no ID token of a logout
 * on its way to the provider (an `id_token_hint` names the user and their provider session), and no
 * handle that makes the BFF hand either out.
 */

let peer: ProviderPeer;
let bff: FastifyInstance;
let origin: string;
const folder = mkdtempSync(join(tmpdir(), 'gatehouse-store-dump-'));

beforeAll(async () => {
  const port = await freePort();
  origin = `http://localhost:${port}`;
  peer = await startProviderPeer({ redirectUri: `${origin}/bff/callback` });
  const config = loadBffConfig({
    publicUrl: origin,
    issuer: peer.issuer,
    clientId: peer.client.clientId,
    clientSecret: peer.client.clientSecret,
    scopes: ['openid', 'profile'],
    tokenEncryptionKeys: [randomBytes(32).toString('base64url')],
    store: `sqlite:${join(folder, 'bff.db')}`,
  });
  bff = await createBff(config);
  await bff.listen({ port, host: '127.0.0.1' });
});
afterAll(async () => {
  await bff?.close();
  await peer?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** Every byte of the store's files, as the dump reader has them. */
function dumpStore(): string {
  return readdirSync(folder)
    .map((name) => readFileSync(join(folder, name)).toString('latin1'))
    .join('\n');
}

/** Whether any 43-character base64url string in the dump is the verifier of this S256 challenge. */
function holdsVerifierOf(dump: string, challenge: string): boolean {
  for (const [run] of dump.matchAll(/[A-Za-z0-9_-]{43,}/g)) {
    for (let at = 0; at + 43 <= run.length; at += 1) {
      if (
        createHash('sha256')
          .update(run.slice(at, at + 43))
          .digest('base64url') === challenge
      )
        return true;
    }
  }
  return false;
}

describe('a reader of a store dump', () => {
  it('finds no PKCE verifier and no nonce of a login in progress', async () => {
    const browser = new TestBrowser({ origin: origin });
    const start = await browser.navigate('/bff/login?returnUrl=/');
    const asked = new URL(start.headers.get('location') as string).searchParams;
    const dump = dumpStore();
    expect(dump).toContain(asked.get('state') as string); // the dump is real: the flow is in it
    expect(holdsVerifierOf(dump, asked.get('code_challenge') as string)).toBe(false);
    expect(dump).not.toContain(asked.get('nonce') as string);
  });

  it('finds no ID token of a logout under way, and no continuation it could follow', async () => {
    const browser = new TestBrowser({ origin: origin });
    const start = await browser.navigate('/bff/login?returnUrl=/');
    const callback = await loginAtProvider(start.headers.get('location') as string, 'alice');
    expect((await browser.navigate(callback.href, { from: peer.issuer })).status).toBe(200);
    const logout = await browser.fetch('/bff/logout', {
      method: 'POST',
      csrf: true,
      headers: { accept: 'application/json' },
    });
    const { redirectTo } = (await logout.json()) as { redirectTo: string };
    const continuationId = new URL(redirectTo).searchParams.get('id') as string;
    const dump = dumpStore();

    // The browser follows the continuation: that is where the ID token is.
    const continued = await browser.navigate(redirectTo);
    const idToken = new URL(continued.headers.get('location') as string).searchParams.get('id_token_hint') as string;
    expect(idToken.split('.')).toHaveLength(3);
    for (const part of idToken.split('.')) expect(dump).not.toContain(part);
    expect(dump).not.toContain(continuationId);
  });
});
