import { acceptRefreshedTokens } from './accept-token-response.js';
import type { ClientContext } from './client-context.js';
import { requestTokens, type TokenRequestContext } from './token-request.js';
import type { Tokens } from './tokens.js';

export type RenewContext = TokenRequestContext & Pick<ClientContext, 'now' | 'locks' | 'issuer' | 'memory'>;

/**
 * Renews the tab's tokens with its refresh token, keeping the rotated one (RFC 6749 §6). One renewal
 * at a time across the client's tabs, under a Web Lock where the browser has them: a renewal that
 * waited finds the tokens already renewed and takes them as they are. A refused refresh (or any
 * failure) forgets the tokens, so the user signs in again. Returns the tokens, if any remain.
 */
export async function renewTokens(context: RenewContext): Promise<Tokens | undefined> {
  const { memory } = context;
  const current = memory.tokens;
  const refreshToken = current?.refreshToken;
  if (!current || !refreshToken) return undefined;
  const run = async () => {
    if (memory.tokens !== current) return memory.tokens; // renewed meanwhile
    try {
      const response = await requestTokens({ grant_type: 'refresh_token', refresh_token: refreshToken }, context);
      memory.tokens = acceptRefreshedTokens(
        response,
        { issuer: context.issuer, clientId: context.clientId, now: context.now() },
        current,
      );
    } catch {
      memory.tokens = undefined; // invalid_grant or worse: the user must sign in again
    }
    return memory.tokens;
  };
  return context.locks ? context.locks.request(`gatehouse-renew:${context.clientId}`, run) : run();
}
