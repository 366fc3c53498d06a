import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { fetchOver, type Transport } from '@gatehouse/test-kit';

/** A certificate for `localhost` and `127.0.0.1`, its own issuer: what the test trusts, and nothing else does. */
export interface SelfSignedCertificate {
  certPath: string;
  keyPath: string;
  /** The certificate in PEM, to trust it as a CA. */
  pem: string;
}

/** Makes a one-day self-signed P-256 certificate with `openssl` (node:crypto cannot write X.509). */
export function selfSignedCertificate(dir: string): SelfSignedCertificate {
  const certPath = join(dir, 'loopback.crt');
  const keyPath = join(dir, 'loopback.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return { certPath, keyPath, pem: readFileSync(certPath, 'utf8') };
}

export interface LoopbackTransportOptions {
  /** The CA an https server must present a certificate from. */
  ca: string;
  /** The loopback address requests leave from (127.0.0.0/8), so the proxy sees different browsers. */
  localAddress?: string;
}

/**
 * Requests over `node:http`/`node:https` (a new connection each, redirects never followed), trusting
 * only `ca`, from `localAddress`: the test kit's HTTP transport, plus those two.
 */
export function loopbackTransport(options: LoopbackTransportOptions): Transport {
  return async (request) => {
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) headers[name] = value;
    const tls = url.protocol === 'https:';
    const send = tls ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(
        url,
        {
          method: request.method,
          headers,
          agent: false,
          ...(tls ? { ca: options.ca } : {}),
          ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => resolve(responseOf(incoming, request.method, Buffer.concat(chunks))));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  };
}

/** A `fetch` for the servers' own outgoing calls (discovery, JWKS, tokens, back-channel logout) over {@link loopbackTransport}. */
export function loopbackFetch(ca: string): typeof fetch {
  return fetchOver(loopbackTransport({ ca }));
}

function responseOf(incoming: IncomingMessage, method: string, body: Buffer): Response {
  const headers = new Headers();
  for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
    headers.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string);
  }
  const status = incoming.statusCode ?? 502;
  const empty = status === 204 || status === 304 || method === 'HEAD';
  return new Response(empty ? null : body, { status, statusText: incoming.statusMessage ?? '', headers });
}
