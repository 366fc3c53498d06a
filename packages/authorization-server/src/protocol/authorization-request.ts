/** The legacy implicit grant's response types: tokens straight from `/authorize`, in the fragment. */
export type ImplicitResponseType = 'token' | 'id_token token';
export type ResponseType = 'code' | ImplicitResponseType;
export type ResponseMode = 'query' | 'fragment' | 'form_post';

/**
 * A `response_type` with its space-separated values in one order (OAuth 2.0 Multiple Response Types
 * §2: order does not matter), so `token id_token` is `id_token token`.
 */
export function normalizeResponseType(responseType: string | undefined): string | undefined {
  return responseType?.split(' ').sort().join(' ');
}

export function isImplicitResponseType(responseType: string | undefined): responseType is ImplicitResponseType {
  return responseType === 'token' || responseType === 'id_token token';
}

/** Where an authorization response goes: known as soon as client and redirect URI are checked. */
export interface ResponseTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state: string | undefined;
}

/** A validated authorization request; plain data, so it can wait in the store during a login. */
export interface AuthorizationRequest extends ResponseTarget {
  clientId: string;
  /** `code`, or a legacy implicit type (then `responseMode` is `fragment`). Absent in interactions stored before implicit: `code`. */
  responseType?: ResponseType;
  scopes: string[];
  nonce: string | undefined;
  codeChallenge: string | undefined;
  prompt: string[];
  /** Seconds, when the client sent `max_age`. */
  maxAge: number | undefined;
  /** `sub` of a valid `id_token_hint`. */
  hintSub: string | undefined;
  loginHint: string | undefined;
  audience: string;
}
