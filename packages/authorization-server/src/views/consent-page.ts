import { renderHiddenFields } from './form-fields.js';
import { html } from './html.js';
import { renderPage } from './layout.js';
import { describeScope, offlineAccessScope, renderScopeList } from './scope-descriptions.js';

export interface ConsentPageOptions {
  action: string;
  csrfToken: string;
  clientName: string;
  userEmail: string;
  /** The scopes asked for; unknown ones are shown by name. */
  scopes: readonly string[];
  hidden?: Record<string, string>;
}

/**
 * Asks the user to allow a client. Offline access gets its own notice rather than a line in the list:
 * it is the one grant that keeps working after the user has left (SECURITY.md §4).
 */
export function renderConsentPage(o: ConsentPageOptions): string {
  const isOffline = o.scopes.includes(offlineAccessScope);
  const hasListedScopes = o.scopes.some((scope) => scope !== offlineAccessScope);
  const offlineNotice =
    isOffline &&
    html`<div class="alert alert-warning offline-notice">
<p><strong>Offline access.</strong> ${describeScope(offlineAccessScope)}.</p>
</div>`;
  const body = html`<h1><strong>${o.clientName}</strong> wants to access your account</h1>
<p class="muted">Signed in as <strong>${o.userEmail}</strong></p>
${hasListedScopes && html`<p>This will allow ${o.clientName} to:</p>`}
${renderScopeList(o.scopes)}
${offlineNotice}
<form method="post" action="${o.action}">
${renderHiddenFields(o.csrfToken, o.hidden)}
<div class="actions">
<button type="submit" class="button button-primary" name="decision" value="allow">Allow</button>
<button type="submit" class="button button-secondary" name="decision" value="deny">Deny</button>
</div>
</form>`;
  return renderPage({ title: `Allow ${o.clientName}?`, body });
}
