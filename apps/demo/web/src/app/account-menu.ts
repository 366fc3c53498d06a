import type { BffUser } from '@gatehouse/browser';
import { el } from '../shell/element.js';
import { initialsOf, summarizeUser } from '../user-summary.js';

export interface AccountActions {
  signIn(): void;
  /** Resolves only if the sign-out did not navigate away (it failed). */
  signOut(): Promise<void>;
}

/**
 * The header's account area: the signed-in user's name and "Sign out", or "Sign in". These are the
 * app's only `sign-in`, `sign-out` and `user-name` elements, so each hook is unique on every page.
 */
export function renderAccountMenu(
  container: HTMLElement,
  user: BffUser | null | 'checking',
  actions: AccountActions,
): void {
  if (user === 'checking') {
    container.replaceChildren(el('span', { className: 'account-checking', attrs: { 'aria-hidden': 'true' } }));
    return;
  }
  if (!user) {
    container.replaceChildren(
      el(
        'button',
        {
          className: 'button button-primary button-small',
          testId: 'sign-in',
          attrs: { type: 'button' },
          onClick: () => actions.signIn(),
        },
        ['Sign in'],
      ),
    );
    return;
  }
  const { name, email } = summarizeUser(user);
  const signOut = el(
    'button',
    { className: 'button button-ghost button-small', testId: 'sign-out', attrs: { type: 'button' } },
    ['Sign out'],
  );
  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    signOut.textContent = 'Signing out…';
    await actions.signOut();
    signOut.disabled = false;
    signOut.textContent = 'Sign out';
  });
  container.replaceChildren(
    el('span', { className: 'avatar', attrs: { 'aria-hidden': 'true' } }, [initialsOf(name)]),
    el('span', { className: 'account-name', testId: 'user-name', attrs: { title: email ?? name } }, [name]),
    signOut,
  );
}
