import { createHash } from 'node:crypto';
import { viewerScript } from './viewer-script.js';
import { viewerStyles } from './viewer-styles.js';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Only this page's own script and stylesheet may run, and it may talk only to its own origin. Captured
 * data is never parsed as HTML anyway; this is the second lock, so even a slip there cannot run an
 * injected script or `onerror` handler, nor load anything from the network.
 */
const contentSecurityPolicy = () =>
  [
    "default-src 'none'",
    `script-src ${sha256(viewerScript)}`,
    `style-src ${sha256(viewerStyles)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

const body = `
<header class="top">
  <div class="brand">chattrail <span>devserver</span></div>
  <div class="counts" data-testid="counts">
    <span><b id="count-threads" data-testid="count-threads">0</b> threads</span>
    <span><b id="count-messages" data-testid="count-messages">0</b> messages</span>
    <span><b id="count-requests" data-testid="count-requests">0</b> requests</span>
  </div>
  <div id="live" class="live" data-testid="live-indicator" data-state="connecting">
    <span class="dot"></span><span id="live-text">connecting</span>
  </div>
</header>
<div id="layout" class="layout">
  <aside class="side">
    <button id="list-toggle" class="list-toggle" type="button" aria-expanded="true" aria-controls="side-body" data-testid="list-toggle">
      Threads <b id="list-toggle-count">0</b>
    </button>
    <div id="side-body" class="side-body">
      <div class="filter">
        <input id="filter" type="search" placeholder="Filter threads" aria-label="Filter threads" autocomplete="off" data-testid="thread-filter">
        <div id="status-filter" class="status-filter" role="group" aria-label="Status" data-testid="status-filter">
          <button type="button" data-status="all" aria-pressed="true">All <span class="n">0</span></button>
          <button type="button" data-status="ok" aria-pressed="false">OK <span class="n">0</span></button>
          <button type="button" data-status="error" aria-pressed="false">Error <span class="n">0</span></button>
          <button type="button" data-status="aborted" aria-pressed="false">Aborted <span class="n">0</span></button>
        </div>
      </div>
      <ul id="threads" class="threads" data-testid="thread-list" aria-label="Threads"></ul>
      <details id="requests" class="requests" data-testid="requests">
        <summary>Recent requests</summary>
        <ol id="request-list"></ol>
      </details>
    </div>
  </aside>
  <main class="main">
    <div id="scroller" class="scroller">
      <section id="thread-head" class="thread-head" data-testid="thread-head"></section>
      <div id="columns" class="columns" data-testid="columns"></div>
      <section id="empty" class="empty-state" data-testid="empty-state" hidden></section>
    </div>
    <button id="jump" class="jump" type="button" data-testid="jump-to-latest" hidden></button>
  </main>
</div>
<noscript><p class="none">The viewer needs JavaScript. The data is at /_devserver/merged-threads.</p></noscript>`;

let page: string | undefined;

/** The viewer served at `/`: one self-contained document (inline CSS and JS, no external requests). */
export function viewerPage(): string {
  page ??= `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">
<meta name="referrer" content="no-referrer">
<title>chattrail devserver</title>
<link rel="icon" href="data:,">
<style>${viewerStyles}</style>
</head>
<body>${body}
<script>${viewerScript}</script>
</body>
</html>
`;
  return page;
}
