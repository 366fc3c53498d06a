import { renderHiddenFields } from './form-fields.js';
import { html } from './html.js';
import { renderPage } from './layout.js';
import { isSafeHref } from './safe-href.js';

export interface LogoutConfirmPageOptions {
  action: string;
  csrfToken: string;
  clientName?: string;
  hidden?: Record<string, string>;
}

/**
 * Asked when a logout request cannot be trusted on its own (no valid `id_token_hint`): a cross-site
 * GET must not end the session, so only this form's POST does (SECURITY.md §4).
 */
export function renderLogoutConfirmPage(o: LogoutConfirmPageOptions): string {
  const body = html`<h1>Sign out?</h1>
${o.clientName !== undefined && html`<p class="subtitle">of <strong>${o.clientName}</strong></p>`}
<form method="post" action="${o.action}">
${renderHiddenFields(o.csrfToken, o.hidden)}
<div class="actions">
<button type="submit" class="button button-primary" name="decision" value="logout">Sign out</button>
<button type="submit" class="button button-secondary" name="decision" value="stay">Stay signed in</button>
</div>
</form>`;
  return renderPage({ title: 'Sign out?', body });
}

export interface LoggedOutPageOptions {
  /** Linked only if http(s) or a path on this server. */
  returnUrl?: string;
  clientName?: string;
}

/** Shown when there is no registered place to send the user back to, or as the link to it. */
export function renderLoggedOutPage(o: LoggedOutPageOptions): string {
  const linkText = o.clientName !== undefined ? html`Return to ${o.clientName}` : 'Return to the app';
  const returnLink =
    o.returnUrl !== undefined && isSafeHref(o.returnUrl) && html`<p><a href="${o.returnUrl}">${linkText}</a></p>`;
  const body = html`<h1>You are signed out.</h1>
${returnLink}`;
  return renderPage({ title: 'Signed out', body });
}
