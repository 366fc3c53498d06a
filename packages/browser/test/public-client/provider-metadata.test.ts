import { describe, expect, it } from 'vitest';
import { createDiscovery, discoverProvider } from '../../src/public-client/provider-metadata.js';
import { expectSignInError, issuer, metadata } from './fake-environment.js';

/** A fetch that answers discovery with `answer` and records what it was asked. */
function discoveryFetch(answer: () => Response | Promise<Response>) {
  const asked: string[] = [];
  const fetch = async (input: string | URL | Request) => {
    asked.push(String(input));
    return answer();
  };
  return { fetch, asked };
}

describe('provider metadata (OpenID Connect Discovery)', () => {
  it('reads the document at the issuer’s well-known address', async () => {
    const { fetch, asked } = discoveryFetch(() => Response.json(metadata));
    expect(await discoverProvider(issuer, { fetch })).toEqual(metadata);
    expect(asked).toEqual([`${issuer}/.well-known/openid-configuration`]);
  });

  it('adds no second slash after an issuer that ends in one', async () => {
    const { fetch, asked } = discoveryFetch(() => Response.json({ ...metadata, issuer: `${issuer}/` }));
    await discoverProvider(`${issuer}/`, { fetch });
    expect(asked).toEqual([`${issuer}/.well-known/openid-configuration`]);
  });

  it.each([
    ['another issuer', () => Response.json({ ...metadata, issuer: 'https://evil.test' })],
    ['an error status', () => new Response('down', { status: 503 })],
    ['a body that is not JSON', () => new Response('<html>')],
    ['JSON that is not an object', () => Response.json(null)],
    ['no token endpoint', () => Response.json({ ...metadata, token_endpoint: undefined })],
    [
      'an authorization endpoint that is not a URL',
      () => Response.json({ ...metadata, authorization_endpoint: '%%%' }),
    ],
    ['a javascript: endpoint', () => Response.json({ ...metadata, authorization_endpoint: 'javascript:alert(1)' })],
    ['an end-session endpoint that is not a URL', () => Response.json({ ...metadata, end_session_endpoint: 42 })],
    [
      'no answer at all',
      () => {
        throw new TypeError('Failed to fetch');
      },
    ],
  ])('refuses %s as discovery_failed', async (_, answer) => {
    await expectSignInError(discoverProvider(issuer, discoveryFetch(answer)), 'discovery_failed');
  });

  it('discovers once for all steps, and tries again after a failure', async () => {
    let fail = true;
    const { fetch, asked } = discoveryFetch(() => (fail ? new Response('', { status: 500 }) : Response.json(metadata)));
    const discover = createDiscovery(issuer, { fetch });
    await expectSignInError(discover(), 'discovery_failed');
    fail = false;
    await discover();
    await discover();
    expect(asked).toHaveLength(2);
  });
});
