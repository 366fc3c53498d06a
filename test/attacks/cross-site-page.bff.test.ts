import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BffUnderAttack, type RawResponse, rawRequest, startBffUnderAttack } from './bff-under-attack.js';

/**
 * A cross-site page the victim has open makes the victim's own browser send requests to the BFF —
 * `<img src=…/bff/login>` tags, `fetch(…, { mode: 'no-cors' })` — from the victim's own address. Those
 * requests must not spend the victim's per-source sign-in limit: the victim's real click on "Sign in"
 * must still start a sign-in.
 */

const defaultLoginLimit = 60;

let bff: BffUnderAttack;
beforeAll(async () => {
  bff = await startBffUnderAttack();
});
afterAll(() => bff.close());

/** What a browser sends for `<img src>` on another site. */
const imageFromAnotherSite = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' };
/** What a browser sends when the user clicks "Sign in" in the app. */
const click = {
  'sec-fetch-site': 'same-origin',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'sec-fetch-user': '?1',
};

async function sendAll(count: number, send: () => Promise<RawResponse>): Promise<RawResponse[]> {
  return Promise.all(Array.from({ length: count }, send));
}

describe('a cross-site page the victim has open', () => {
  for (const [path, victimsAddress] of [
    ['/bff/login?returnUrl=/', '127.0.0.30'],
    ['/bff/silent-login?returnUrl=/', '127.0.0.33'],
  ] as const) {
    it(`cannot use the victim’s own browser to lock the victim out of ${path.split('?')[0]} with image requests`, async () => {
      const entries = await bff.store.countEntries();
      const images = await sendAll(defaultLoginLimit, () =>
        rawRequest(bff.port, path, { from: victimsAddress, headers: imageFromAnotherSite }),
      );
      for (const response of images) {
        // Not a page the user sees: a plain refusal, no login-failed redirect, nothing written.
        expect(response.status).toBe(403);
        expect(JSON.parse(response.body)).toEqual({ error: 'forbidden', reason: 'not_a_navigation' });
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      expect(await bff.store.countEntries()).toBe(entries);
      const signIn = await rawRequest(bff.port, path, { from: victimsAddress, headers: click });
      expect(signIn.status).toBe(302);
      expect(signIn.headers['set-cookie']?.join()).toContain('__Host-gh-login=');
    });
  }

  it('cannot start a sign-in with any request the browser says is not a top-level document navigation', async () => {
    const notNavigations: Record<string, string>[] = [
      { 'sec-fetch-mode': 'no-cors' },
      { 'sec-fetch-mode': 'cors' },
      { 'sec-fetch-dest': 'iframe' },
      { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' },
      { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'script' },
      { 'sec-fetch-mode': 'NAVIGATE-ish', 'sec-fetch-dest': 'document' },
    ];
    for (const headers of notNavigations) {
      const response = await rawRequest(bff.port, '/bff/login?returnUrl=/', { from: '127.0.0.34', headers });
      expect([headers, response.status]).toEqual([headers, 403]);
    }
  });

  it('leaves requests without Sec-Fetch headers (older browsers, tools) as they were', async () => {
    const response = await rawRequest(bff.port, '/bff/login?returnUrl=/', { from: '127.0.0.35' });
    expect(response.status).toBe(302);
  });
});
