import { describe, expect, it } from 'vitest';
import { shareTokens } from '../../src/public-client/token-sharing.js';
import type { Tokens } from '../../src/public-client/tokens.js';
import { signedInTokens, start } from './fake-environment.js';

/** A channel that records what this tab posts; `receive` plays another tab's message. */
function channel() {
  const posted: unknown[] = [];
  const port = {
    onmessage: null as ((event: { data: unknown }) => void) | null,
    postMessage: (message: unknown) => void posted.push(message),
  };
  return { port, posted, receive: (data: unknown) => port.onmessage?.({ data }) };
}

/** A tab's tokens as shareTokens sees them, with what it adopted. */
function tab(initial?: Tokens) {
  const adopted: (Tokens | undefined)[] = [];
  let tokens = initial;
  return {
    adopted,
    current: () => tokens,
    adopt(next: Tokens | undefined) {
      tokens = next;
      adopted.push(next);
    },
  };
}

describe('token sharing between tabs', () => {
  it('asks the other tabs at once, and answers a new tab’s question only when it has tokens', () => {
    const { port, posted, receive } = channel();
    const mine = signedInTokens(start);
    const state = tab(mine);
    shareTokens(port, state);
    expect(posted).toEqual([{ type: 'gatehouse-tokens-asked' }]);
    receive({ type: 'gatehouse-tokens-asked' });
    expect(posted.at(-1)).toEqual({ type: 'gatehouse-tokens-answered', tokens: mine });
    const empty = channel();
    shareTokens(empty.port, tab());
    empty.receive({ type: 'gatehouse-tokens-asked' });
    expect(empty.posted).toEqual([{ type: 'gatehouse-tokens-asked' }]);
  });

  it('takes an answer only without tokens of its own, but every change another tab announces', () => {
    const { port, receive } = channel();
    const state = tab(signedInTokens(start));
    const announce = shareTokens(port, state);
    const other = signedInTokens(start, { accessToken: 'other' });
    receive({ type: 'gatehouse-tokens-answered', tokens: other });
    expect(state.adopted).toEqual([]);
    receive({ type: 'gatehouse-tokens', tokens: other });
    receive({ type: 'gatehouse-tokens' }); // signed out there
    expect(state.adopted).toEqual([other, undefined]);
    announce(other);
  });

  it('ignores messages of another shape', () => {
    const { port, receive } = channel();
    const state = tab();
    shareTokens(port, state);
    for (const data of [
      null,
      'text',
      { type: 'other', tokens: signedInTokens(start) },
      { type: 'gatehouse-tokens', tokens: { accessToken: 1 } },
    ]) {
      receive(data);
    }
    expect(state.adopted).toEqual([]);
  });

  it('announces each change made in this tab', () => {
    const { port, posted } = channel();
    const announce = shareTokens(port, tab());
    const tokens = signedInTokens(start);
    announce(tokens);
    announce(undefined);
    expect(posted.slice(1)).toEqual([
      { type: 'gatehouse-tokens', tokens },
      { type: 'gatehouse-tokens', tokens: undefined },
    ]);
  });
});
