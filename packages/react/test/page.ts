/** The DOM the tests use (happy-dom's), typed by what they use: the root tsconfig has no DOM library. */
export interface TestElement {
  textContent: string | null;
  append(node: TestElement): void;
  replaceChildren(): void;
}

export interface TestPage {
  document: { createElement(tag: 'div'): TestElement; body: TestElement };
  location: { origin: string; pathname: string; search: string };
  history: { replaceState(state: unknown, unused: string, url: string): void };
  addEventListener(type: 'error', listener: (event: { preventDefault(): void }) => void): void;
  removeEventListener(type: 'error', listener: (event: { preventDefault(): void }) => void): void;
}

export const page = globalThis as unknown as TestPage;
