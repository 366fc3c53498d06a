/**
 * The page globals the bindings use, typed by what is used (as the SDK's `browserPage`), so they also
 * compile, and are type-checked with their tests, without the DOM library.
 */
export interface Page {
  location: { href: string; origin: string; pathname: string; search: string; hash: string; assign(url: string): void };
  history: { state: unknown; pushState(state: unknown, unused: string, url: string): void };
  addEventListener(type: 'popstate', listener: () => void): void;
  removeEventListener(type: 'popstate', listener: () => void): void;
  dispatchEvent(event: unknown): boolean;
  PopStateEvent: new (type: 'popstate', init: { state: unknown }) => unknown;
}

export const page = (): Page => globalThis as unknown as Page;

/** This page's path, query and fragment: where a sign-in comes back to by default. */
export const currentPath = (): string => {
  const { location } = page();
  return `${location.pathname}${location.search}${location.hash}`;
};
