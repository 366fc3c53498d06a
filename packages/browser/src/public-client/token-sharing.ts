import type { TabChannel } from '../browser-page.js';
import type { Tokens } from './tokens.js';

// A tab that changed its tokens (signed in, renewed, signed out) says so; a new tab asks once, and
// the tabs that have tokens answer.
const changed = 'gatehouse-tokens';
const asked = 'gatehouse-tokens-asked';
const answered = 'gatehouse-tokens-answered';

/** One tab's tokens, as {@link shareTokens} reads and replaces them. */
export interface SharedTokens {
  current(): Tokens | undefined;
  /** Takes another tab's tokens (or its sign-out: `undefined`) without announcing them again. */
  adopt(tokens: Tokens | undefined): void;
}

/**
 * Shares a client's tokens with its other tabs over `channel` (a `BroadcastChannel`: same origin
 * only, memory to memory, nothing stored), so that one renewal serves them all and a rotated refresh
 * token is never sent again by a tab that missed the rotation. Asks the other tabs for theirs at once;
 * an answer is taken only by a tab that has none, a change by every tab. Returns `announce`, for every
 * change made in this tab.
 */
export function shareTokens(channel: TabChannel, tab: SharedTokens): (tokens: Tokens | undefined) => void {
  channel.onmessage = ({ data }) => {
    const message = data as { type?: unknown; tokens?: Tokens } | null;
    const tokens = message?.tokens;
    if (message?.type === asked) {
      const mine = tab.current();
      if (mine) channel.postMessage({ type: answered, tokens: mine });
    } else if (tokens === undefined || typeof tokens.accessToken === 'string') {
      if (message?.type === changed || (message?.type === answered && !tab.current())) tab.adopt(tokens);
    }
  };
  channel.postMessage({ type: asked });
  return (tokens) => channel.postMessage({ type: changed, tokens });
}
