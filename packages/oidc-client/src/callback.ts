/** What the provider sent back to the redirect URI. */
export type CallbackResult =
  | { kind: 'code'; code: string; state: string }
  | { kind: 'error'; state: string | undefined; error: string; errorDescription: string | undefined }
  | { kind: 'invalid'; state: string | undefined; reason: CallbackFault };

export type CallbackFault =
  | 'missing_state'
  | 'missing_code'
  | 'duplicated_parameter'
  | 'issuer_mismatch'
  | 'missing_issuer';

/** OAuth error codes are `%x20-21 / %x23-5B / %x5D-7E` (RFC 6749 §4.1.2.1); anything else is not one. */
const errorCodePattern = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/**
 * Reads the redirect URI's query. Checks `iss` (RFC 9207): when present it must equal the issuer, and
 * when the provider advertises the parameter it must be present — a response from another provider
 * (a mix-up attack) is refused before any code is redeemed.
 */
export function parseCallback(
  query: URLSearchParams,
  expected: { issuer: string; issuerParameterRequired: boolean },
): CallbackResult {
  for (const name of ['state', 'code', 'iss', 'error']) {
    if (query.getAll(name).length > 1) return { kind: 'invalid', state: undefined, reason: 'duplicated_parameter' };
  }
  const state = query.get('state') || undefined;
  const iss = query.get('iss');
  if (iss !== null && iss !== expected.issuer) return { kind: 'invalid', state, reason: 'issuer_mismatch' };
  if (iss === null && expected.issuerParameterRequired) return { kind: 'invalid', state, reason: 'missing_issuer' };
  if (!state) return { kind: 'invalid', state: undefined, reason: 'missing_state' };
  const error = query.get('error');
  if (error) {
    return {
      kind: 'error',
      state,
      error: errorCodePattern.test(error) ? error : 'invalid_request',
      errorDescription: query.get('error_description') ?? undefined,
    };
  }
  const code = query.get('code');
  if (!code) return { kind: 'invalid', state, reason: 'missing_code' };
  return { kind: 'code', code, state };
}
