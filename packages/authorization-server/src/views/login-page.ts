import { renderField, renderHiddenFields } from './form-fields.js';
import { html } from './html.js';
import { renderPage } from './layout.js';
import { isSafeHref } from './safe-href.js';

export interface LoginPageOptions {
  action: string;
  csrfToken: string;
  /** Prefills the email field (after a failed attempt, or from `login_hint`). */
  email?: string;
  /** One message for every failure, so the page never tells which of email or password was wrong. */
  error?: string;
  /** An informational line above the form ("Your account is ready."). */
  notice?: string;
  clientName?: string;
  /** Linked only if http(s) or a path on this server. */
  registerUrl?: string;
  hidden?: Record<string, string>;
  /** "Continue with …" buttons, one form each (POST, CSRF token and the same hidden fields). */
  upstreams?: readonly { action: string; displayName: string }[];
}

/** The sign-in form. The password is never sent back, even after a failed attempt. */
export function renderLoginPage(o: LoginPageOptions): string {
  const email = renderField({
    id: 'email',
    name: 'email',
    label: 'Email',
    type: 'email',
    autocomplete: 'username',
    value: o.email,
    required: true,
  });
  const password = renderField({
    id: 'password',
    name: 'password',
    label: 'Password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const registerLink =
    o.registerUrl !== undefined &&
    isSafeHref(o.registerUrl) &&
    html`<p class="muted">New here? <a href="${o.registerUrl}">Create an account</a></p>`;
  const body = html`<h1>Sign in</h1>
${o.clientName !== undefined && html`<p class="subtitle">to continue to <strong>${o.clientName}</strong></p>`}
${o.error !== undefined && html`<div class="alert alert-error" role="alert"><p>${o.error}</p></div>`}
${o.notice !== undefined && html`<div class="alert alert-info" role="status"><p>${o.notice}</p></div>`}
<form method="post" action="${o.action}">
${renderHiddenFields(o.csrfToken, o.hidden)}
${email}
${password}
<div class="actions"><button type="submit" class="button button-primary">Sign in</button></div>
</form>
${renderUpstreamButtons(o)}
${registerLink}`;
  return renderPage({ title: 'Sign in', body });
}

function renderUpstreamButtons(o: LoginPageOptions) {
  if (!o.upstreams || o.upstreams.length === 0) return false;
  return html`<div class="divider" role="separator"><span>or</span></div>
<div class="upstreams">
${o.upstreams.map(
  (upstream) => html`<form method="post" action="${upstream.action}">
${renderHiddenFields(o.csrfToken, o.hidden)}
<button type="submit" class="button button-secondary button-block">Continue with ${upstream.displayName}</button>
</form>
`,
)}</div>`;
}
