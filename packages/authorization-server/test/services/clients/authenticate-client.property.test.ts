import { openMemoryStore, RateLimiter, type Store } from '@gatehouse/store';
import { propertyRuns } from '@gatehouse/test-kit';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseParams } from '../../../src/primitives/params.js';
import { type ClientMetadata, clientMetadataSchema } from '../../../src/protocol/client-metadata.js';
import { OAuthError } from '../../../src/protocol/errors.js';
import { authenticateClient, type ClientAuthContext } from '../../../src/services/clients/authenticate-client.js';
import { RecentCredentials } from '../../../src/services/clients/recent-credentials.js';
import { ClientRegistry } from '../../../src/stores/client-registry.js';

// SECURITY.md §3 / RFC 6749 §2.3.1: `client_secret_basic` credentials are form-urlencoded, joined
// by ":" and base64'd; any client id and secret the registration rules allow survives the trip, and a
// malformed header is `invalid_client` (or `invalid_request`), never another kind of error.

const printable = (min: number, max: number, from = 0x20) =>
  fc.string({
    unit: fc.oneof(
      // The characters the encoding exists for, often.
      { weight: 1, arbitrary: fc.constantFrom(':', '+', '%', '/', ' ', '=', '&', '?', '#') },
      { weight: 4, arbitrary: fc.integer({ min: from, max: 0x7e }).map((code) => String.fromCharCode(code)) },
    ),
    minLength: min,
    maxLength: max,
  });
// RFC 6749 App. A: client_id and client_secret are VSCHAR; our registration refuses spaces in ids.
const clientId = printable(1, 40).filter((id) => !id.includes(' '));
const clientSecret = printable(32, 80);

const formEncode = (value: string) => new URLSearchParams([['x', value]]).toString().slice('x='.length);
type Encoding = 'form' | 'component';
const encodeCredential = (value: string, how: Encoding) =>
  how === 'form' ? formEncode(value) : encodeURIComponent(value);
const basic = (user: string, password: string, scheme = 'Basic') =>
  `${scheme} ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

function metadata(id: string, secret: string): ClientMetadata {
  const client = Value.Default(clientMetadataSchema, {
    client_id: id,
    client_secret: secret,
    redirect_uris: ['https://app.test/cb'],
  }) as ClientMetadata;
  if (!Value.Check(clientMetadataSchema, client)) throw new TypeError(`generated an invalid client: ${id}`);
  return client;
}

describe('client_secret_basic (property)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openMemoryStore();
  });
  afterAll(() => store.close());

  const context = (clients: ClientRegistry): ClientAuthContext => ({
    clients,
    store,
    issuer: 'https://as.test',
    tokenEndpoint: 'https://as.test/token',
    now: () => Date.parse('2030-01-01T00:00:00Z'),
    rateLimiter: new RateLimiter(store, () => Date.parse('2030-01-01T00:00:00Z')),
    // Lockout is not what is tested here: many failures for one id must not turn into slow_down.
    limits: { failuresPerClient: 1_000_000, windowSeconds: 60 },
    events: { emit: () => undefined },
    recentCredentials: new RecentCredentials(() => Date.parse('2030-01-01T00:00:00Z')),
  });

  it('authenticates any registrable client id and secret, form-urlencoded then base64', async () => {
    await fc.assert(
      fc.asyncProperty(
        clientId,
        clientSecret,
        fc.constantFrom<Encoding>('form', 'component'),
        fc.constantFrom('Basic', 'basic', 'BASIC'),
        async (id, secret, how, scheme) => {
          const clients = new ClientRegistry([metadata(id, secret)], store, () => 0, [
            'property-test-secret-0123456789abcdef',
          ]);
          const header = basic(encodeCredential(id, how), encodeCredential(secret, how), scheme);
          const result = await authenticateClient(context(clients), header, parseParams(''), '192.0.2.1');
          expect(result.client.client_id).toBe(id);
          expect(result.method).toBe('client_secret_basic');
        },
      ),
      propertyRuns(200),
    );
  });

  it('refuses the same header with any other secret, with invalid_client', async () => {
    await fc.assert(
      fc.asyncProperty(clientId, clientSecret, clientSecret, async (id, secret, other) => {
        fc.pre(other !== secret);
        const clients = new ClientRegistry([metadata(id, secret)], store, () => 0, [
          'property-test-secret-0123456789abcdef',
        ]);
        const header = basic(formEncode(id), formEncode(other));
        await expect(authenticateClient(context(clients), header, parseParams(''), '192.0.2.1')).rejects.toMatchObject({
          code: 'invalid_client',
        });
      }),
      propertyRuns(100),
    );
  });

  // Hostile headers: broken base64, bytes that are not UTF-8, missing colons, broken and
  // control-character escapes, over-long ids, other schemes, stray whitespace.
  const credentialPiece = fc.constantFrom(
    'client',
    ':',
    '%',
    '%zz',
    '%3A',
    '%00',
    '%01',
    '%0a',
    '%1f',
    '%7f',
    '%C2%85',
    '%C0%AF',
    '%ED%A0%80',
    '+',
    ' ',
    '\u0001',
    '\n',
    '\u007f',
    'é',
    'x'.repeat(300),
  );
  const credentials = fc.array(credentialPiece, { maxLength: 8 }).map((pieces) => pieces.join(''));
  const hostileHeader = fc.oneof(
    credentials.map((text) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => `Basic ${Buffer.from(bytes).toString('base64')}`),
    fc
      .tuple(fc.constantFrom('Basic', 'basic', 'Basic ', 'Bearer', 'Digest', ''), fc.string({ maxLength: 40 }))
      .map(([scheme, rest]) => `${scheme} ${rest}`),
    fc.string({ unit: 'binary', maxLength: 80 }),
  );

  it('answers any malformed Authorization header with invalid_client or invalid_request, nothing else', async () => {
    const clients = new ClientRegistry([metadata('client', 'c'.repeat(32))], store, () => 0, [
      'property-test-secret-0123456789abcdef',
    ]);
    await fc.assert(
      fc.asyncProperty(hostileHeader, async (header) => {
        try {
          await authenticateClient(context(clients), header, parseParams(''), '192.0.2.1');
        } catch (error) {
          expect(error).toBeInstanceOf(OAuthError);
          expect(['invalid_client', 'invalid_request']).toContain((error as OAuthError).code);
          return;
        }
        throw new Error(`authenticated with ${JSON.stringify(header)}`);
      }),
      propertyRuns(400),
    );
  });
});
