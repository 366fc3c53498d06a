import { openMemoryStore, type Store } from '@gatehouse/store';
import { propertyRuns } from '@gatehouse/test-kit';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClientAndRedirectUri } from '../../../src/endpoints/authorize/check-client-and-redirect-uri.js';
import { queryParams } from '../../../src/primitives/params.js';
import { type ClientMetadata, clientMetadataSchema } from '../../../src/protocol/client-metadata.js';
import { PageError } from '../../../src/protocol/errors.js';
import { ClientRegistry } from '../../../src/stores/client-registry.js';

// SECURITY.md §2 / RFC 9700 §4.1.3: `redirect_uri` is compared as a string, exactly. Every
// registered URI is accepted as it is; every spelling a URL parser might call "the same" is refused.

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
const host = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => `${labels.join('.')}.test`),
  fc.constantFrom('127.0.0.1', 'localhost', '[::1]'),
);
const segment = fc.stringMatching(/^[A-Za-z0-9_~-]{1,10}$/);
const registeredUri = fc
  .record({
    scheme: fc.constantFrom('https', 'http', 'com.example.app'),
    host,
    port: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
    segments: fc.array(segment, { minLength: 0, maxLength: 4 }),
    trailingSlash: fc.boolean(),
    query: fc.option(fc.stringMatching(/^[a-z]{1,5}=[a-z0-9]{1,5}$/), { nil: undefined }),
  })
  .map(({ scheme, host, port, segments, trailingSlash, query }) => {
    const path = `/${segments.join('/')}${trailingSlash && segments.length > 0 ? '/' : ''}`;
    const authority = scheme === 'com.example.app' ? '' : `//${host}${port === undefined ? '' : `:${port}`}`;
    return `${scheme}:${authority}${path}${query === undefined ? '' : `?${query}`}`;
  });

/** Where the path starts and ends in a URI built by `registeredUri`. */
function pathBounds(uri: string): { start: number; end: number } {
  const afterScheme = uri.indexOf(':') + 1;
  const start = uri.startsWith('//', afterScheme) ? uri.indexOf('/', afterScheme + 2) : afterScheme;
  const query = uri.indexOf('?');
  return { start, end: query === -1 ? uri.length : query };
}

type Mutation =
  | 'case'
  | 'trailing-slash'
  | 'query'
  | 'fragment'
  | 'default-port'
  | 'percent-twin'
  | 'dot-segment'
  | 'userinfo'
  | 'host-dot'
  | 'whitespace';

/** A spelling of `uri` that a lenient matcher would treat as the same address. */
function mutate(uri: string, mutation: Mutation, pick: number): string {
  const { start, end } = pathBounds(uri);
  const hasAuthority = uri.includes('://');
  const authorityStart = uri.indexOf('://') + 3;
  switch (mutation) {
    case 'case': {
      const letters = [...uri].flatMap((c, i) => (/[a-z]/i.test(c) ? [i] : []));
      const i = letters[pick % letters.length] as number;
      const c = uri[i] as string;
      const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
      return `${uri.slice(0, i)}${flipped}${uri.slice(i + 1)}`;
    }
    case 'trailing-slash':
      return uri[end - 1] === '/' && end - 1 > start
        ? `${uri.slice(0, end - 1)}${uri.slice(end)}`
        : `${uri.slice(0, end)}/${uri.slice(end)}`;
    case 'query':
      return (uri.includes('?') ? [`${uri}&x=1`, `${uri}&`] : [`${uri}?x=1`, `${uri}?`])[pick % 2] as string;
    case 'fragment':
      return [`${uri}#`, `${uri}#x`][pick % 2] as string;
    case 'default-port': {
      if (!hasAuthority) return `${uri}#`;
      const hostEnd = start;
      const authority = uri.slice(authorityStart, hostEnd);
      const port = uri.startsWith('https:') ? ':443' : ':80';
      // With a port of its own, the default port replaces it: still an explicit-port variant.
      const bare = authority.replace(/:\d+$/, '');
      return `${uri.slice(0, authorityStart)}${bare}${port}${uri.slice(hostEnd)}`;
    }
    case 'percent-twin': {
      const chars = [...uri.slice(start, end)].flatMap((c, i) => (/[A-Za-z0-9_~/-]/.test(c) ? [start + i] : []));
      const i = chars[pick % chars.length] as number;
      const hex = (uri.charCodeAt(i) as number).toString(16).padStart(2, '0');
      return `${uri.slice(0, i)}%${pick % 2 ? hex.toUpperCase() : hex}${uri.slice(i + 1)}`;
    }
    case 'dot-segment': {
      const insert = ['/.', '/x/..', '/%2e', '/.%2E'][pick % 4] as string;
      return `${uri.slice(0, start)}${insert}${uri.slice(start)}`;
    }
    case 'userinfo': {
      if (!hasAuthority) return `${uri}?`;
      const user = ['user@', ':@', `${uri.slice(authorityStart, start)}@`][pick % 3] as string;
      return `${uri.slice(0, authorityStart)}${user}${uri.slice(authorityStart)}`;
    }
    case 'host-dot': {
      if (!hasAuthority) return `${uri}/`;
      const authority = uri.slice(authorityStart, start);
      const withDot = /:\d+$/.test(authority) ? authority.replace(/:(\d+)$/, '.:$1') : `${authority}.`;
      return `${uri.slice(0, authorityStart)}${withDot}${uri.slice(start)}`;
    }
    case 'whitespace':
      return [` ${uri}`, `${uri} `, `${uri}%20`][pick % 3] as string;
  }
}

const mutation = fc.constantFrom<Mutation>(
  'case',
  'trailing-slash',
  'query',
  'fragment',
  'default-port',
  'percent-twin',
  'dot-segment',
  'userinfo',
  'host-dot',
  'whitespace',
);

describe('redirect_uri matching (property)', () => {
  let store: Store;
  beforeAll(() => {
    store = openMemoryStore();
  });
  afterAll(() => store.close());

  function registryFor(redirectUris: string[]): ClientRegistry {
    const client = Value.Default(clientMetadataSchema, {
      client_id: 'app',
      client_secret: 's'.repeat(32),
      redirect_uris: redirectUris,
    }) as ClientMetadata;
    // The check reads the client registry only.
    return new ClientRegistry([client], store, () => 0, ['property-test-secret-0123456789abcdef']);
  }
  /** The check, fed the way `/authorize` feeds it: the offered URI percent-encoded in the query. */
  const check = (registered: string[], offered: string, scope = 'openid') =>
    checkClientAndRedirectUri(
      registryFor(registered),
      queryParams(
        `/authorize?client_id=app&scope=${encodeURIComponent(scope)}&redirect_uri=${encodeURIComponent(offered)}`,
      ),
    );
  const registeredSet = fc.uniqueArray(registeredUri, { minLength: 1, maxLength: 3 });

  it('accepts each registered URI, and returns it byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(registeredSet, fc.nat(), async (registered, pick) => {
        const offered = registered[pick % registered.length] as string;
        const { client, redirectUri } = await check(registered, offered);
        expect(client.client_id).toBe('app');
        expect(redirectUri).toBe(offered);
      }),
      propertyRuns(200),
    );
  });

  it('refuses every look-alike of a registered URI (case, slash, query, fragment, port, encoding, dots, userinfo)', async () => {
    await fc.assert(
      fc.asyncProperty(registeredSet, fc.nat(), mutation, fc.nat(), async (registered, which, how, pick) => {
        const original = registered[which % registered.length] as string;
        const offered = mutate(original, how, pick);
        expect(offered).not.toBe(original);
        fc.pre(!registered.includes(offered));
        await expect(check(registered, offered)).rejects.toSatisfy(
          (error) => error instanceof PageError && error.code === 'invalid_request',
        );
      }),
      propertyRuns(600),
    );
  });

  it('refuses any string that is not exactly a registered URI, for OpenID and plain OAuth requests', async () => {
    const offered = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(registeredSet, offered, fc.constantFrom('openid', 'profile'), async (registered, uri, scope) => {
        fc.pre(uri !== '' && !registered.includes(uri));
        await expect(check(registered, uri, scope)).rejects.toBeInstanceOf(PageError);
      }),
      propertyRuns(300),
    );
  });
});
