/** RFC 8693 token exchange. */
export const tokenExchangeGrantType = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3: the only token type we take and give. */
export const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token';
/** Ours, hence a vendor URN (RFC 6749 §4.5 extension grants use absolute URIs). */
export const oneTimeCodeGrantType = 'urn:gatehouse:params:oauth:grant-type:one-time-code';
