/**
 * The HTML shell of the admin UI. The admin server answers `/` and `/delegator` with this
 * document; the bundle (`/files/app.js`, built from main.ts) renders the page into `#app`.
 */

/** Which page the shell is for: it only chooses the placeholder text, main.ts reads the URL. */
export type PageKind = 'dashboard' | 'delegator';

const PLACEHOLDER: Record<PageKind, string> = {
  dashboard: 'Loading the dashboard…',
  delegator: 'Loading the dtab playground…',
};

// A switch-track glyph as an inline icon, so the browser does not ask for /favicon.ico.
const FAVICON = 'data:image/svg+xml,' + encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4338ca"/>'
  + '<path d="M9 26V6m14 20V16c0-4-3-6-7-7l-7-2" stroke="#fff" stroke-width="3" fill="none" stroke-linecap="round"/></svg>');

/** A complete HTML document for `page`, titled `title`, loading the bundled script and styles. */
export function renderPage(page: PageKind, title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${escapeHtml(FAVICON)}">
<link rel="stylesheet" href="/files/app.css">
<script type="module" src="/files/app.js"></script>
</head>
<body>
<div id="app"><p class="boot">${PLACEHOLDER[page]}</p><noscript>The Switchyard admin pages need JavaScript.</noscript></div>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
