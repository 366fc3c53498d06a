import { browserPage, type PageMessage } from '../browser-page.js';
import { silentSignInMessageType } from './silent-message.js';

/**
 * Loads `url` in a hidden iframe and waits for the silent callback page in it to post the URL the
 * provider sent it back to (see `notifySilentSignIn`); undefined after `timeoutMs`. The frame is
 * removed either way.
 */
export function loadSilentFrame(url: string, timeoutMs: number): Promise<string | undefined> {
  const page = browserPage();
  const frame = page.document.createElement('iframe');
  frame.hidden = true;
  frame.title = 'silent sign-in';
  const answered = new Promise<string | undefined>((resolve) => {
    const finish = (answer: string | undefined) => {
      clearTimeout(timer);
      page.removeEventListener('message', onMessage);
      frame.remove();
      resolve(answer);
    };
    // Only our own frame, from our own origin, with our message shape: anything else is ignored.
    const onMessage = (event: PageMessage) => {
      if (event.source !== frame.contentWindow || event.origin !== page.location.origin) return;
      const data = event.data as { type?: unknown; url?: unknown } | null;
      if (data?.type === silentSignInMessageType && typeof data.url === 'string') finish(data.url);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    page.addEventListener('message', onMessage);
  });
  frame.src = url;
  page.document.body.append(frame);
  return answered;
}
