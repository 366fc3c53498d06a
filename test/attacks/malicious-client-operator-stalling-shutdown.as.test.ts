import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeGracefully } from '@gatehouse/server-kit';
import {
  confidentialClient,
  obtainTokens,
  publicClient,
  type RunningAuthorizationServer,
  startAuthorizationServer,
  webAppLogoutRedirect,
} from '@gatehouse/test-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * A malicious client operator registers a `backchannel_logout_uri` that accepts the connection and
 * never answers. Every sign-out of a user of that client (the operator can make their own, in a loop)
 * starts a delivery the authorization server keeps retrying in the background: 3 attempts of
 * `backchannelLogoutTimeoutMs` each (up to 60 s) plus pauses. The graceful stop promises that
 * `drainTimeoutMs` bounds the wait for the stranger's work — requests and connections are cut then —
 * but the app's onClose hook awaits every pending delivery, so SIGTERM's exit is held for
 * ~3 × the delivery timeout, past the drain timeout and (at the maximum, ~3 min) past any termination
 * grace period: the process gets SIGKILLed with the store not closed.
 */

interface StallingReceiver {
  url: string;
  seen: IncomingMessage[];
  close(): Promise<void>;
}

/** A back-channel endpoint that reads the request and never answers it. */
async function startStallingReceiver(): Promise<StallingReceiver> {
  const seen: IncomingMessage[] = [];
  const server: Server = createServer((request) => {
    seen.push(request);
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let receiver: StallingReceiver | undefined;
let as: RunningAuthorizationServer | undefined;
afterEach(async () => {
  await receiver?.close();
  await as?.close().catch(() => undefined);
});

describe('a malicious client operator whose back-channel logout endpoint never answers', () => {
  it('cannot hold the authorization server’s graceful stop past drainTimeoutMs', async () => {
    receiver = await startStallingReceiver();
    as = await startAuthorizationServer({
      clients: [{ ...confidentialClient, backchannel_logout_uri: receiver.url }, publicClient],
      // 3 attempts × 3 s + 0.5 s + 1 s of pauses ≈ 10.5 s per delivery (the default 5 s gives ≈ 16.5 s).
      backchannelLogoutTimeoutMs: 3000,
    });
    const server = as;
    // The operator's own user signs in to the operator's client and out again.
    const browser = server.browser();
    const tokens = await obtainTokens(server, { browser });
    const logout = await browser.navigate(
      `${server.issuer}/logout?${new URLSearchParams({
        id_token_hint: tokens.id_token as string,
        post_logout_redirect_uri: webAppLogoutRedirect,
      })}`,
    );
    expect(logout.status).toBe(303);
    await vi.waitFor(() => expect(receiver?.seen.length).toBe(1), { timeout: 5000 });

    // SIGTERM now: no request is in flight, no connection is busy.
    const drainTimeoutMs = 1000;
    const started = performance.now();
    await closeGracefully(server.app, { drainDelayMs: 0, drainTimeoutMs });
    const elapsedMs = performance.now() - started;
    // The stop may take the drain timeout and a little closing work — not the stranger's 10 s.
    expect(elapsedMs).toBeLessThan(drainTimeoutMs + 1500);
  }, 30_000);
});
