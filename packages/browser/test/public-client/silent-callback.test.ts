import { afterEach, describe, expect, it, vi } from 'vitest';
import { notifySilentSignIn } from '../../src/public-client/silent-callback.js';

afterEach(() => vi.unstubAllGlobals());

describe('silent callback page', () => {
  it('posts the URL it was sent back to, to its parent, for this origin only', () => {
    const postMessage = vi.fn();
    vi.stubGlobal('parent', { postMessage });
    vi.stubGlobal('location', { href: 'https://app.test/silent?code=c&state=s', origin: 'https://app.test' });
    notifySilentSignIn();
    expect(postMessage).toHaveBeenCalledWith(
      { type: 'gatehouse-silent-sign-in', url: 'https://app.test/silent?code=c&state=s' },
      'https://app.test',
    );
  });

  it('does nothing outside a frame', () => {
    const postMessage = vi.fn();
    vi.stubGlobal('postMessage', postMessage);
    vi.stubGlobal('parent', globalThis); // a top-level window is its own parent
    vi.stubGlobal('location', { href: 'https://app.test/silent', origin: 'https://app.test' });
    notifySilentSignIn();
    expect(postMessage).not.toHaveBeenCalled();
  });
});
