export interface Router {
  /** Shows `path` (pushing a history entry unless it is the current one). */
  navigate(path: string): void;
}

/**
 * History-API routing: links marked `data-route` and the back/forward buttons show a page without
 * a reload. Modified clicks (new tab, download) and other origins keep the browser's behaviour.
 */
export function createRouter(show: (url: URL) => void): Router {
  const navigate = (path: string) => {
    const target = new URL(path, location.origin);
    if (target.href !== location.href) history.pushState(null, '', target);
    show(target);
    window.scrollTo(0, 0);
  };

  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = event.target instanceof Element ? event.target.closest('a[data-route]') : null;
    if (!(anchor instanceof HTMLAnchorElement) || anchor.target !== '' || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    navigate(`${url.pathname}${url.search}${url.hash}`);
  });
  window.addEventListener('popstate', () => show(new URL(location.href)));

  return { navigate };
}
