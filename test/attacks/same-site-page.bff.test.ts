import type { TestBrowser } from '@gatehouse/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BffUnderAttack, type RawResponse, rawRequest, startBffUnderAttack } from './bff-under-attack.js';

/**
 * The attacker controls a page on a sibling origin of the BFF (same site: `SameSite=Strict` cookies
 * go with its requests). It cannot add `x-csrf` (that needs a CORS preflight the BFF never grants),
 * so it tries to reach the BFF's script-only endpoints and proxied routes under another spelling of
 * their path — percent-encoded letters, an encoded prefix, doubled slashes — hoping the CSRF check
 * looks at the raw URL while the router decodes it.
 */

let bff: BffUnderAttack;
beforeAll(async () => {
  bff = await startBffUnderAttack();
});
afterAll(() => bff.close());

interface GuardedRoute {
  method: string;
  path: string;
  /** Whether the BFF itself answers (a `/bff` endpoint) or the API behind it (a proxied route). */
  proxied: boolean;
  /** Extra request headers the endpoint needs to be served (a JSON answer rather than a redirect). */
  headers?: Record<string, string>;
}

const guardedRoutes: GuardedRoute[] = [
  { method: 'GET', path: '/bff/user', proxied: false },
  { method: 'POST', path: '/bff/logout', proxied: false, headers: { accept: 'application/json' } },
  { method: 'GET', path: '/bff/token', proxied: false },
  { method: 'GET', path: '/bff/offline', proxied: false },
  { method: 'DELETE', path: '/bff/offline', proxied: false },
  { method: 'GET', path: '/api/todos', proxied: true },
  { method: 'POST', path: '/api/todos', proxied: true },
  { method: 'DELETE', path: '/machine/jobs', proxied: true },
  { method: 'PUT', path: '/public/notes', proxied: true },
];

const hex = (c: string) => c.charCodeAt(0).toString(16);

/**
 * Other spellings of `path` the router may take for it: each letter percent-encoded on its own (hex
 * in lower and upper case where that differs), the prefix encoded, every letter encoded with mixed
 * case, and doubled slashes.
 */
function spellingsOf(path: string): { spelling: string; encodesPrefix: boolean }[] {
  const spellings = new Map<string, boolean>();
  const prefixEnd = path.indexOf('/', 1);
  for (let i = 0; i < path.length; i += 1) {
    const c = path[i] as string;
    if (!/[a-z]/.test(c)) continue;
    const before = path.slice(0, i);
    const after = path.slice(i + 1);
    spellings.set(`${before}%${hex(c)}${after}`, i < prefixEnd);
    spellings.set(`${before}%${hex(c).toUpperCase()}${after}`, i < prefixEnd);
  }
  let mixed = 0;
  const everyLetter = path.replace(/[a-z]/g, (c) => {
    mixed += 1;
    return `%${mixed % 2 ? hex(c) : hex(c).toUpperCase()}`;
  });
  spellings.set(everyLetter, true);
  spellings.set(`/${path}`, false);
  spellings.set(path.replace(/\/([^/]*)$/, '//$1'), false);
  return [...spellings].map(([spelling, encodesPrefix]) => ({ spelling, encodesPrefix }));
}

/** A request as a same-site page can make it: the victim's cookie, no `x-csrf`. */
function fromSiblingPage(browser: TestBrowser, route: GuardedRoute, spelling: string): Promise<RawResponse> {
  return rawRequest(bff.port, spelling, {
    method: route.method,
    headers: {
      cookie: browser.cookieHeader(),
      'sec-fetch-site': 'same-site',
      ...(route.method === 'GET' ? {} : { origin: 'http://sibling.127.0.0.1.nip.io' }),
      ...route.headers,
    },
  });
}

/** The same request from the SPA itself: same origin, with `x-csrf: 1`. */
function fromTheApp(browser: TestBrowser, route: GuardedRoute, spelling: string): Promise<RawResponse> {
  return rawRequest(bff.port, spelling, {
    method: route.method,
    headers: {
      cookie: browser.cookieHeader(),
      'x-csrf': '1',
      'sec-fetch-site': 'same-origin',
      ...(route.method === 'GET' ? {} : { origin: bff.origin }),
      ...route.headers,
    },
  });
}

/** The refusal's `reason`, or the status alone for a body that is not the BFF's JSON. */
function outcome(response: RawResponse): string {
  try {
    return `${response.status} ${(JSON.parse(response.body) as { reason?: string }).reason ?? ''}`.trim();
  } catch {
    return String(response.status);
  }
}

const routerTakes = (spelling: string) => !spelling.includes('//');

describe('a page on a sibling origin, sending requests with the victim’s cookie', () => {
  for (const route of guardedRoutes) {
    it(`cannot reach ${route.method} ${route.path} without x-csrf under any spelling of its path`, async () => {
      const victim = await bff.signedIn();
      const before = bff.api.seen.length;
      const gotThrough: string[] = [];
      for (const { spelling } of spellingsOf(route.path)) {
        const response = await fromSiblingPage(victim, route, spelling);
        const refused = response.status === 403 && JSON.parse(response.body).error === 'forbidden';
        // Doubled slashes: the router knows no route under that spelling, so nothing answers it.
        const unrouted = !routerTakes(spelling) && outcome(response) === '404 no_such_route';
        if (!refused && !unrouted) gotThrough.push(`${spelling} → ${outcome(response)}`);
      }
      expect(gotThrough).toEqual([]);
      // Nothing reached the API, and the victim is still signed in (no logout by CSRF).
      expect(bff.api.seen.length).toBe(before);
      expect((await victim.fetch('/bff/user', { csrf: true })).status).toBe(200);
    });

    it(`still serves the app's own ${route.method} ${route.path} with x-csrf under the spellings the router takes`, async () => {
      const app = await bff.signedIn();
      const wrong: string[] = [];
      for (const { spelling, encodesPrefix } of spellingsOf(route.path).filter((s) => routerTakes(s.spelling))) {
        const before = bff.api.seen.length;
        const response = await fromTheApp(app, route, spelling);
        // A proxied route's prefix must be spelt as configured: the BFF never sends such a path upstream.
        const expected = route.proxied && encodesPrefix ? '404 path_not_allowed' : 'served';
        const served = response.status === 200 || response.status === 204;
        const got = served ? 'served' : outcome(response);
        if (got !== expected) wrong.push(`${spelling} → ${got}`);
        if (route.proxied) expect(bff.api.seen.length).toBe(before + (got === 'served' ? 1 : 0));
      }
      expect(wrong).toEqual([]);
    });
  }
});
