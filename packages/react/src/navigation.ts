import { useSyncExternalStore } from 'react';
import { page } from './page.js';

/**
 * Goes to `url` without reloading when it is a path of this app (a public client's tokens live in the
 * page's memory and must survive), else leaves the page. Routers listen to `popstate`, so one is sent.
 */
export function navigateInApp(url: string): void {
  const { location, history, dispatchEvent, PopStateEvent } = page();
  const target = new URL(url, location.href);
  if (target.origin !== location.origin) {
    location.assign(target.href);
    return;
  }
  history.pushState(history.state, '', `${target.pathname}${target.search}${target.hash}`);
  dispatchEvent(new PopStateEvent('popstate', { state: history.state }));
}

const subscribe = (onChange: () => void) => {
  page().addEventListener('popstate', onChange);
  return () => page().removeEventListener('popstate', onChange);
};
const read = () => `${page().location.pathname}${page().location.search}`;

/** The current path and query, re-read on every `popstate` (`''` when rendered on a server). */
export function useCurrentPath(): string {
  return useSyncExternalStore(subscribe, read, () => '');
}
