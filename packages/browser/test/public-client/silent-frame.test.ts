import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PageMessage } from '../../src/browser-page.js';
import { loadSilentFrame } from '../../src/public-client/silent-frame.js';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** A page with a body and message listeners; `post` plays a message from `source`. */
function stubFramePage() {
  const listeners = new Set<(event: PageMessage) => void>();
  const appended: { src: string; hidden: boolean; removed: boolean; contentWindow: object }[] = [];
  vi.stubGlobal('location', { origin: 'https://app.test' });
  vi.stubGlobal('document', {
    createElement: () => {
      const frame = {
        hidden: false,
        title: '',
        src: '',
        removed: false,
        contentWindow: {},
        remove: () => (frame.removed = true),
      };
      return frame;
    },
    body: { append: (frame: (typeof appended)[number]) => appended.push(frame) },
  });
  vi.stubGlobal('addEventListener', (_type: string, listener: (event: PageMessage) => void) => listeners.add(listener));
  vi.stubGlobal('removeEventListener', (_type: string, listener: (event: PageMessage) => void) =>
    listeners.delete(listener),
  );
  const post = (event: PageMessage) => {
    for (const listener of [...listeners]) listener(event);
  };
  return { appended, listeners, post };
}

describe('silent frame', () => {
  it('loads the URL in a hidden frame and resolves with what the callback page in it posts', async () => {
    const page = stubFramePage();
    const answer = loadSilentFrame('https://idp.test/authorize?prompt=none', 5_000);
    const frame = page.appended[0];
    expect(frame).toMatchObject({ src: 'https://idp.test/authorize?prompt=none', hidden: true });
    page.post({
      source: frame?.contentWindow,
      origin: 'https://app.test',
      data: { type: 'gatehouse-silent-sign-in', url: 'https://app.test/silent?code=c&state=s' },
    });
    expect(await answer).toBe('https://app.test/silent?code=c&state=s');
    expect(frame?.removed).toBe(true);
    expect(page.listeners.size).toBe(0);
  });

  it('ignores messages from another window, another origin or of another shape', async () => {
    vi.useFakeTimers();
    const page = stubFramePage();
    const answer = loadSilentFrame('https://idp.test/authorize', 5_000);
    const frame = page.appended[0];
    const data = { type: 'gatehouse-silent-sign-in', url: 'https://app.test/silent?code=forged' };
    page.post({ source: {}, origin: 'https://app.test', data });
    page.post({ source: frame?.contentWindow, origin: 'https://evil.test', data });
    page.post({ source: frame?.contentWindow, origin: 'https://app.test', data: { type: 'other', url: data.url } });
    page.post({ source: frame?.contentWindow, origin: 'https://app.test', data: null });
    vi.advanceTimersByTime(5_000);
    expect(await answer).toBeUndefined(); // a timeout, not any of those
    expect(frame?.removed).toBe(true);
  });
});
