import { html } from './html.js';
import { renderPage } from './layout.js';

export interface ErrorPageOptions {
  title: string;
  /** The public description; log-only detail stays out of the page. */
  message: string;
  /** Wire error code (`invalid_request`), for support; shown small. */
  code?: string;
}

/**
 * Shown when there is nowhere safe to redirect an error to (an unknown client or redirect URI). It has
 * no links: any URL from such a request is exactly what cannot be trusted.
 */
export function renderErrorPage(o: ErrorPageOptions): string {
  const body = html`<h1>${o.title}</h1>
<div class="alert alert-error" role="alert"><p>${o.message}</p></div>
${o.code !== undefined && html`<p class="error-code">Error code: <code>${o.code}</code></p>`}`;
  return renderPage({ title: o.title, body });
}
