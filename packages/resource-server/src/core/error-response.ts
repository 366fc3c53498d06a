import { BearerError, bearerChallenge, ProviderUnavailableError } from './bearer-error.js';

/** Status, headers and JSON body for any error the core raises; anything else is a 500 without details. */
export function toErrorResponse(
  error: unknown,
  realm: string,
): { status: number; headers: Record<string, string>; body: Record<string, string> } {
  if (error instanceof BearerError) {
    const body: Record<string, string> = { error: error.code ?? 'unauthorized' };
    if (error.code) body.error_description = error.description;
    return { status: error.status, headers: { 'www-authenticate': bearerChallenge(error, realm) }, body };
  }
  if (error instanceof ProviderUnavailableError) {
    return {
      status: 503,
      headers: { 'retry-after': '5' },
      body: { error: 'temporarily_unavailable', error_description: 'the token issuer cannot be reached' },
    };
  }
  return { status: 500, headers: {}, body: { error: 'server_error' } };
}
