import { html, type SafeHtml } from './html.js';

export interface PageOptions {
  /** Page title; " · Gatehouse" is appended. */
  title: string;
  body: SafeHtml;
  /** Default `en`. */
  lang?: string;
}

/**
 * The document every page shares. No inline script or style anywhere: the CSP allows neither, and the
 * pages work without JavaScript. `referrer` is repeated here for browsers that miss the header.
 */
export function renderPage(options: PageOptions): string {
  return html`<!doctype html>
<html lang="${options.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<title>${options.title} · Gatehouse</title>
<link rel="stylesheet" href="/assets/gatehouse.css">
</head>
<body>
<header class="site-header"><span class="brand">Gatehouse</span></header>
<main class="card">
${options.body}
</main>
</body>
</html>
`.value;
}
