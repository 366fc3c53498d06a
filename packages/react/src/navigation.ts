import { useEffect, useState } from 'react';
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

const read = () => `${page().location.pathname}${page().location.search}`;

/**
 * The current path and query, re-read on every `popstate` (`''` when rendered on a server). An
 * ordinary state update, not `useSyncExternalStore`: that one renders at once, ahead of the client's
 * pending news, and a `<RequireAuth>` mounted by the navigation that follows a completed sign-in would
 * see the user still signed out for one render and start another sign-in.
 */
export function useCurrentPath(): string {
  const [path, setPath] = useState(() => (typeof page().location === 'undefined' ? '' : read()));
  useEffect(() => {
    const update = () => setPath(read());
    update(); // anything that moved between the first render and now
    page().addEventListener('popstate', update);
    return () => page().removeEventListener('popstate', update);
  }, []);
  return path;
}
