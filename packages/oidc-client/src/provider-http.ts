import { ProviderUnavailableError } from './errors.js';

/** The `fetch` the client uses; injected so tests and proxies can replace it. */
export type Fetch = typeof fetch;

/** Largest provider response read, in bytes: metadata, JWKS and token responses are small. */
const maxResponseBytes = 256 * 1024;

/**
 * Calls the provider with a deadline and reads at most 256 KB of JSON. Network failures and timeouts
 * become {@link ProviderUnavailableError} (`timedOut` for a deadline passed: the request may have been
 * acted on); the caller judges status and body.
 */
export async function callProvider(
  fetchImpl: Fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetchImpl(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ProviderUnavailableError(`provider unreachable: ${new URL(url).origin}`, {
      cause: error,
      timedOut: isTimeout(error),
    });
  }
  let text: string;
  try {
    text = await readLimited(response, maxResponseBytes);
  } catch (error) {
    throw new ProviderUnavailableError(`provider response unreadable: ${new URL(url).origin}`, {
      cause: error,
      timedOut: isTimeout(error),
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

/** `AbortSignal.timeout` rejects the fetch, or the body read, with a `TimeoutError`. */
function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw new Error(`response larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
