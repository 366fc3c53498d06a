import { renderField, renderHiddenFields } from './form-fields.js';
import { html, type SafeHtml } from './html.js';
import { renderPage } from './layout.js';
import { offlineAccessScope, renderScopeList } from './scope-descriptions.js';

/** A client the user has allowed, as remembered by the consent store. */
export interface ProfileConsent {
  clientId: string;
  clientName: string;
  scopes: readonly string[];
  /** The client holds offline access (a refresh token that works while the user is away). */
  offline: boolean;
}

/** A configured upstream as the profile shows it: linked (with its state) or offered for linking. */
export interface ProfileUpstream {
  name: string;
  displayName: string;
  /** Starts linking (a POST with `purpose=link`). */
  linkAction: string;
  linked?: { label: string; needsReconsent: boolean };
}

export interface ProfilePageOptions {
  csrfToken: string;
  account: { email: string; emailVerified: boolean; name?: string };
  consents: readonly ProfileConsent[];
  /** Outcome of the last action ("Password changed."), shown as an info alert. */
  notice?: string;
  errors?: { name?: string; currentPassword?: string; newPassword?: string; deleteConfirm?: string };
  /** The account has a password (accounts made by an upstream sign-in do not). */
  hasPassword: boolean;
  upstreams: readonly ProfileUpstream[];
  paths: {
    updateName: string;
    changePassword: string;
    revokeConsent: string;
    logout: string;
    unlinkUpstream: string;
    deleteAccount: string;
  };
}

type ProfileErrors = NonNullable<ProfilePageOptions['errors']>;

/**
 * The user's own page: account details, password change, the apps they have allowed (each revocable,
 * as SECURITY.md §4 promises) and sign-out. Each form carries its own CSRF token.
 */
export function renderProfilePage(o: ProfilePageOptions): string {
  const errors = o.errors ?? {};
  const body = html`<h1>Your account</h1>
${o.notice !== undefined && html`<div class="alert alert-info" role="status"><p>${o.notice}</p></div>`}
${renderAccountSection(o.account, errors, o.csrfToken, o.paths.updateName)}
${o.hasPassword && renderPasswordSection(errors, o.csrfToken, o.paths.changePassword)}
${renderUpstreamsSection(o)}
${renderAppsSection(o.consents, o.csrfToken, o.paths.revokeConsent)}
${renderDeleteSection(errors, o.csrfToken, o.paths.deleteAccount)}
<section class="section">
<form method="post" action="${o.paths.logout}">
${renderHiddenFields(o.csrfToken)}
<div class="actions"><button type="submit" class="button button-secondary">Sign out</button></div>
</form>
</section>`;
  return renderPage({ title: 'Your account', body });
}

function renderAccountSection(
  account: ProfilePageOptions['account'],
  errors: ProfileErrors,
  csrfToken: string,
  action: string,
): SafeHtml {
  const badge = account.emailVerified
    ? html`<span class="badge badge-ok">Verified</span>`
    : html`<span class="badge badge-warn">Not verified</span>`;
  const name = renderField({
    id: 'name',
    name: 'name',
    label: 'Name',
    type: 'text',
    autocomplete: 'name',
    value: account.name,
    error: errors.name,
  });
  return html`<section class="section" aria-labelledby="account-heading">
<h2 id="account-heading">Account</h2>
${account.email ? html`<p>${account.email} ${badge}</p>` : html`<p class="muted">No email address</p>`}
<form method="post" action="${action}">
${renderHiddenFields(csrfToken)}
${name}
<div class="actions"><button type="submit" class="button button-secondary">Save name</button></div>
</form>
</section>`;
}

function renderPasswordSection(errors: ProfileErrors, csrfToken: string, action: string): SafeHtml {
  const currentPassword = renderField({
    id: 'current-password',
    name: 'current_password',
    label: 'Current password',
    type: 'password',
    autocomplete: 'current-password',
    error: errors.currentPassword,
    required: true,
  });
  const newPassword = renderField({
    id: 'new-password',
    name: 'new_password',
    label: 'New password',
    type: 'password',
    autocomplete: 'new-password',
    hint: 'At least 8 characters. Long passphrases welcome.',
    error: errors.newPassword,
    required: true,
  });
  return html`<section class="section" aria-labelledby="password-heading">
<h2 id="password-heading">Password</h2>
<form method="post" action="${action}">
${renderHiddenFields(csrfToken)}
${currentPassword}
${newPassword}
<div class="actions"><button type="submit" class="button button-secondary">Change password</button></div>
</form>
</section>`;
}

function renderAppsSection(consents: readonly ProfileConsent[], csrfToken: string, revokePath: string): SafeHtml {
  const list =
    consents.length === 0
      ? html`<p class="muted">No apps have access to your account.</p>`
      : html`<ul class="app-list">
${consents.map((consent) => renderConsent(consent, csrfToken, revokePath))}</ul>`;
  return html`<section class="section" aria-labelledby="apps-heading">
<h2 id="apps-heading">Connected apps</h2>
${list}
</section>`;
}

function renderConsent(consent: ProfileConsent, csrfToken: string, revokePath: string): SafeHtml {
  // Either flag is enough to say so: showing the badge once too often is cheaper than hiding it once.
  const isOffline = consent.offline || consent.scopes.includes(offlineAccessScope);
  const badge = isOffline && html`<span class="badge badge-warn">Offline access</span>`;
  return html`<li class="app">
<div class="app-header"><h3>${consent.clientName}</h3>${badge}</div>
${renderScopeList(consent.scopes)}
<form method="post" action="${revokePath}">
${renderHiddenFields(csrfToken, { client_id: consent.clientId })}
<div class="actions">
<button type="submit" class="button button-secondary" aria-label="Revoke ${consent.clientName}">Revoke</button>
</div>
</form>
</li>
`;
}

function renderUpstreamsSection(o: ProfilePageOptions): SafeHtml | false {
  if (o.upstreams.length === 0) return false;
  const items = o.upstreams.map((upstream) => {
    if (!upstream.linked) {
      return html`<li class="app"><div class="app-header"><h3>${upstream.displayName}</h3></div>
<form method="post" action="${upstream.linkAction}">
${renderHiddenFields(o.csrfToken, { purpose: 'link' })}
<div class="actions"><button type="submit" class="button button-secondary">Link ${upstream.displayName}</button></div>
</form></li>
`;
    }
    const warning = upstream.linked.needsReconsent && html`<span class="badge badge-warn">Needs reconnecting</span>`;
    const reconnect =
      upstream.linked.needsReconsent &&
      html`<form method="post" action="${upstream.linkAction}">
${renderHiddenFields(o.csrfToken, { purpose: 'link' })}
<div class="actions"><button type="submit" class="button button-secondary">Reconnect ${upstream.displayName}</button></div>
</form>`;
    return html`<li class="app"><div class="app-header"><h3>${upstream.displayName}</h3><span class="badge badge-ok">Linked</span>${warning}</div>
<p class="muted">${upstream.linked.label}</p>
${reconnect}
<form method="post" action="${o.paths.unlinkUpstream}">
${renderHiddenFields(o.csrfToken, { upstream: upstream.name })}
<div class="actions"><button type="submit" class="button button-secondary" aria-label="Unlink ${upstream.displayName}">Unlink</button></div>
</form></li>
`;
  });
  return html`<section class="section" aria-labelledby="upstreams-heading">
<h2 id="upstreams-heading">Sign-in with other accounts</h2>
<ul class="app-list">
${items}</ul>
</section>`;
}

function renderDeleteSection(errors: ProfileErrors, csrfToken: string, action: string): SafeHtml {
  const confirm = renderField({
    id: 'delete-confirm',
    name: 'confirm',
    label: 'Type DELETE to confirm',
    type: 'text',
    autocomplete: 'off',
    error: errors.deleteConfirm,
    required: true,
  });
  return html`<section class="section" aria-labelledby="delete-heading">
<h2 id="delete-heading">Delete account</h2>
<p class="muted">Signs you out everywhere, revokes every app's access and removes your linked accounts and their tokens. This cannot be undone.</p>
<form method="post" action="${action}">
${renderHiddenFields(csrfToken)}
${confirm}
<div class="actions"><button type="submit" class="button button-secondary">Delete account</button></div>
</form>
</section>`;
}
