import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { viewerPage } from './viewer-page.js';
import { viewerScript } from './viewer-script.js';
import { viewerStyles } from './viewer-styles.js';

const hashOf = (text: string) => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;

describe('viewerPage', () => {
  const html = viewerPage();

  it('is one complete HTML document with the inline script and styles', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>chattrail devserver</title>');
    expect(html).toContain(`<style>${viewerStyles}</style>`);
    expect(html).toContain(`<script>${viewerScript}</script>`);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('requests nothing from the network: no external URLs, no src attributes, no CSS imports', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\s(?:src|srcset|action|formaction)\s*=/i);
    // The only href is the empty data: favicon, which stops the browser asking for /favicon.ico.
    expect(html.match(/\shref\s*=\s*"[^"]*"/gi)).toEqual([' href="data:,"']);
    expect(viewerStyles).not.toMatch(/@import|url\(/i);
    // fetch() is only ever given the page's own /_devserver paths.
    for (const [, target] of viewerScript.matchAll(/getJson\('([^']*)'/g))
      expect(target).toMatch(/^\/_devserver\//);
  });

  it('allows only its own script and stylesheet through the content security policy', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(csp).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src '${hashOf(viewerScript)}'`);
    expect(csp).toContain(`style-src '${hashOf(viewerStyles)}'`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('ships a script that parses and never builds HTML from strings', () => {
    expect(() => new Function(viewerScript)).not.toThrow();
    expect(viewerScript).not.toMatch(/<\/script|<!--/i);
    expect(viewerScript).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(/);
  });

  it('returns the same document every time', () => {
    expect(viewerPage()).toBe(html);
  });
});
