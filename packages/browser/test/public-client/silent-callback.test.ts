import { afterEach, describe, expect, it, vi } from 'vitest';
import { notifySilentSignIn } from '../../src/public-client/silent-callback.js';

afterEach(() => vi.unstubAllGlobals());

describe('silent callback page', () => {
  it('posts the URL it was sent back to, to its parent, for this origin only', () => {
    const postMessage = vi.fn();
    const self = { parent: { postMessage } };
    vi.stubGlobal('window', self);
    vi.stubGlobal('location', { href: 'https://app.test/silent?code=c&state=s', origin: 'https://app.test' });
    notifySilentSignIn();
    expect(postMessage).toHaveBeenCalledWith(
      { type: 'gatehouse-silent-sign-in', url: 'https://app.test/silent?code=c&state=s' },
      'https://app.test',
    );
  });

  it('does nothing outside a frame', () => {
    const self: { parent?: unknown; postMessage: () => void } = { postMessage: vi.fn() };
    self.parent = self;
    vi.stubGlobal('window', self);
    vi.stubGlobal('location', { href: 'https://app.test/silent', origin: 'https://app.test' });
    notifySilentSignIn();
    expect(self.postMessage).not.toHaveBeenCalled();
  });
});
