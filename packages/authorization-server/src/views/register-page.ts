import { renderField, renderHiddenFields } from './form-fields.js';
import { html } from './html.js';
import { renderPage } from './layout.js';
import { isSafeHref } from './safe-href.js';

export interface RegisterPageOptions {
  action: string;
  csrfToken: string;
  /** Echoed back after a failed attempt; there is deliberately no password here. */
  values: { email?: string; name?: string };
  /** Per field, shown under it; `form` is shown above the fields. */
  errors: { email?: string; password?: string; name?: string; form?: string };
  /** Linked only if http(s) or a path on this server. */
  loginUrl?: string;
  hidden?: Record<string, string>;
}

/** The sign-up form. After an error it keeps name and email but makes the user type the password again. */
export function renderRegisterPage(o: RegisterPageOptions): string {
  const name = renderField({
    id: 'name',
    name: 'name',
    label: 'Name',
    type: 'text',
    autocomplete: 'name',
    value: o.values.name,
    error: o.errors.name,
  });
  const email = renderField({
    id: 'email',
    name: 'email',
    label: 'Email',
    type: 'email',
    autocomplete: 'email',
    value: o.values.email,
    error: o.errors.email,
    required: true,
  });
  const password = renderField({
    id: 'password',
    name: 'password',
    label: 'Password',
    type: 'password',
    autocomplete: 'new-password',
    hint: 'At least 8 characters. Long passphrases welcome.',
    error: o.errors.password,
    required: true,
  });
  const loginLink =
    o.loginUrl !== undefined &&
    isSafeHref(o.loginUrl) &&
    html`<p class="muted">Already have an account? <a href="${o.loginUrl}">Sign in</a></p>`;
  const body = html`<h1>Create your account</h1>
${o.errors.form !== undefined && html`<div class="alert alert-error" role="alert"><p>${o.errors.form}</p></div>`}
<form method="post" action="${o.action}">
${renderHiddenFields(o.csrfToken, o.hidden)}
${name}
${email}
${password}
<div class="actions"><button type="submit" class="button button-primary">Create account</button></div>
</form>
${loginLink}`;
  return renderPage({ title: 'Create your account', body });
}
