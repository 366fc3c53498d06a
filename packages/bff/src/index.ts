export type { BffConfig } from './config/bff-config.js';
export { bffConfigSchema, loadBffConfig } from './config/bff-config.js';
export type { BrowserRequest, BrowserRequestVerdict, RefusalReason } from './request-guard/check-browser-request.js';
export { checkBrowserRequest } from './request-guard/check-browser-request.js';
export { parseReturnUrl } from './routes/return-url.js';
export {
  createSessionId,
  readSessionId,
  serializeClearedSessionCookie,
  serializeSessionCookie,
  sessionCookieName,
} from './session/session-cookie.js';
export type { TokenCipher } from './session/token-cipher.js';
export { createTokenCipher, TokenDecryptionError } from './session/token-cipher.js';
