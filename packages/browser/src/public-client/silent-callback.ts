import { browserPage } from '../browser-page.js';
import { silentSignInMessageType } from './silent-message.js';

/**
 * Runs on the `silentRedirectUri` page, inside `trySilentSignIn`'s hidden frame: hands the
 * authorization response (its URL) to the parent, which checks and redeems it. Posted to this origin
 * only, never `*`; outside a frame it does nothing.
 */
export function notifySilentSignIn(): void {
  const page = browserPage();
  if (page.parent === (page as unknown)) return;
  page.parent.postMessage({ type: silentSignInMessageType, url: page.location.href }, page.location.origin);
}
