import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../src/index.js';
import { chromiumSkipReason, hasChromium, launchChromium } from './launch-chromium.js';
import { sendChattrailThreads } from './viewer-fixtures.js';

const outputDir = fileURLToPath(new URL('../test-output/', import.meta.url));

if (!hasChromium) console.warn(`viewer browser tests skipped: ${chromiumSkipReason}`);

describe.skipIf(!hasChromium)(
  hasChromium
    ? 'viewer in headless Chromium'
    : `viewer in headless Chromium (skipped: ${chromiumSkipReason})`,
  () => {
    let server: DevServer;
    let browser: Browser;
    let context: BrowserContext | undefined;

    beforeAll(async () => {
      // One after the other, so a browser that fails to start still leaves a server for afterAll to close.
      server = await startDevServer({ port: 0, host: '127.0.0.1' });
      browser = await launchChromium();
    });

    beforeEach(() => server.reset());

    afterEach(async () => {
      await context?.close();
      context = undefined;
    });

    afterAll(async () => {
      await Promise.all([browser?.close(), server?.close()]);
    });

    async function api(method: string, path: string, body: unknown): Promise<any> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (path.startsWith('/api/v1/')) headers.authorization = 'Bearer dev';
      else headers['api-key'] = 'dev';
      const res = await fetch(`${server.url}${path}`, { method, headers, body: JSON.stringify(body) });
      const data = await res.json();
      if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(data)}`);
      return data;
    }

    /** Opens the viewer and records everything the page asks for and every error it logs. */
    async function openViewer(
      hash = '',
      width = 1280,
    ): Promise<{ page: Page; requested: string[]; problems: string[] }> {
      await context?.close();
      context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      const requested: string[] = [];
      const problems: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      await page.goto(`${server.url}/${hash}`);
      await page.getByTestId('live-indicator').and(page.locator('[data-state="live"]')).waitFor();
      return { page, requested, problems };
    }

    const chips = (scope: Locator) => scope.getByTestId('chips').locator('[data-chip]').allTextContents();

    const threadItem = (page: Page, backend: string, text: string) =>
      page.locator(`[data-testid="thread-item"][data-backends~="${backend}"]`, { hasText: text });

    const column = (page: Page, backend: string) =>
      page.locator(`[data-testid="backend-column"][data-backend="${backend}"]`);

    /** Saves a screenshot under test-output/ and prints its path, so a person can look at it. */
    async function screenshot(page: Page, name: string): Promise<void> {
      mkdirSync(outputDir, { recursive: true });
      const path = `${outputDir}${name}.png`;
      await page.screenshot({ path });
      console.log(`viewer screenshot: ${path}`);
    }

    /** Nothing wider than the viewport: neither the page nor the thread's or list's own scroll boxes. */
    async function horizontalOverflow(page: Page): Promise<Record<string, number>> {
      return page.evaluate(() => {
        const over = (el: Element | null) => (el ? el.scrollWidth - el.clientWidth : 0);
        return {
          page: document.scrollingElement!.scrollWidth - window.innerWidth,
          scroller: over(document.getElementById('scroller')),
          list: over(document.getElementById('threads')),
        };
      });
    }

    it('lists both backends and renders each thread as a chat', async () => {
      // Before any data: the empty state tells how to send some.
      const { page, requested, problems } = await openViewer();
      await page.getByTestId('empty-state').waitFor();
      expect(await page.getByTestId('mielto-base-url').textContent()).toBe(`${server.url}/api/v1`);
      expect(await page.getByTestId('melodi-base-url').textContent()).toBe(`${server.url}/api/external`);

      const conversation = await api('POST', '/api/v1/conversations', {
        title: 'Weather in Paris',
        user_id: 'user-42',
        meta_data: { thread_id: 'chat-1', model: 'gpt-4o-mini' },
      });
      await api('POST', '/api/v1/messages', {
        conversation_id: conversation.id,
        content: [
          {
            role: 'user',
            content: 'What is the weather in Paris?\nAnd tomorrow?',
            created_at: '2025-06-01T09:00:00Z',
          },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
            meta_data: { usage: { input_tokens: 120, output_tokens: 45, total_tokens: 165 } },
          },
          {
            role: 'tool',
            content: '{"city":"Paris","temperature":18,"sky":"cloudy"}',
            meta_data: { tool_call_id: 'call_1' },
          },
          {
            role: 'assistant',
            content: 'It is 18 °C and cloudy in Paris.',
            meta_data: { usage: { inputTokens: 180, outputTokens: 12 } },
          },
        ],
      });
      await new Promise((resolve) => setTimeout(resolve, 5)); // so Melodi's thread is strictly newer
      await api('PUT', '/api/external/threads', {
        projectId: 1,
        externalId: 'thread-1',
        messages: [
          { externalId: 'm1', role: 'user', content: 'Plan three days in Lisbon' },
          {
            externalId: 'm2',
            role: 'assistant',
            type: 'json',
            jsonContent: { destination: 'Lisbon', days: 3 },
          },
          { externalId: 'm3', role: 'assistant', content: 'Here is your plan.' },
        ],
        externalUser: { externalId: 'u1', name: 'Ada', segments: { team: 'eng' } },
        metadata: { model: 'gpt-x', inputTokens: 12, outputTokens: 34 },
      });

      // Both threads arrive in the open page, newest first.
      // Two app threads (chat-1, thread-1), each held by one backend: two entries, newest first.
      const items = page.getByTestId('thread-item');
      await expect.poll(() => items.count()).toBe(2);
      expect(await items.nth(0).getAttribute('data-backends')).toBe('melodi');
      expect(await items.nth(1).getAttribute('data-backends')).toBe('mielto');
      await expect.poll(() => page.getByTestId('count-messages').textContent()).toBe('7');
      expect(await page.getByTestId('count-threads').textContent()).toBe('2');
      expect(await page.getByTestId('empty-state').isHidden()).toBe(true);

      const mieltoItem = threadItem(page, 'mielto', 'Weather in Paris');
      expect(await mieltoItem.getByTestId('backend-badge').textContent()).toBe('Mielto');
      expect(await mieltoItem.textContent()).toContain('user-42');
      // No turn ids (not written by chattrail): one answer, one turn, whatever the message count.
      expect(await mieltoItem.getByTestId('thread-turns').textContent()).toBe('1 turn');
      const melodiItem = threadItem(page, 'melodi', 'Plan three days in Lisbon');
      expect(await melodiItem.getByTestId('backend-badge').textContent()).toBe('Melodi');
      expect(await melodiItem.textContent()).toContain('Ada (u1)');

      // Mielto: roles, text with its newline, the tool call, the tool result, tokens.
      await mieltoItem.click();
      expect(await mieltoItem.getAttribute('aria-current')).toBe('true');
      await page.getByTestId('thread-heading').filter({ hasText: 'Weather in Paris' }).waitFor();
      const messages = page.getByTestId('message');
      await expect.poll(() => messages.count()).toBe(4);
      expect(await messages.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-role')))).toEqual([
        'user',
        'assistant',
        'tool',
        'assistant',
      ]);
      // innerText is the text as laid out, so this proves the newline is shown, not only stored.
      const firstText = messages.nth(0).getByTestId('message-content');
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is under test
      const rendered = await firstText.evaluate((n) => (n as HTMLElement).innerText);
      expect(rendered).toBe('What is the weather in Paris?\nAnd tomorrow?');
      expect(await messages.nth(0).locator('time').getAttribute('datetime')).toBe('2025-06-01T09:00:00Z');
      expect(await messages.nth(0).textContent()).toContain('user-42'); // sender id
      const toolCall = await messages.nth(1).getByTestId('tool-call').textContent();
      expect(toolCall).toContain('get_weather');
      expect(toolCall).toContain('call_1');
      expect(await messages.nth(1).getByTestId('tool-args').textContent()).toBe(
        JSON.stringify({ city: 'Paris' }, null, 2),
      );
      expect(await chips(messages.nth(1))).toEqual(['in 120', 'out 45', 'total 165']);
      expect(await messages.nth(2).getByTestId('tool-result').textContent()).toContain('"temperature": 18');
      expect(await messages.nth(3).getByTestId('message-content').textContent()).toBe(
        'It is 18 °C and cloudy in Paris.',
      );
      expect(await chips(messages.nth(3))).toEqual(['in 180', 'out 12']);
      expect(await page.getByTestId('thread-metadata').textContent()).toContain('gpt-4o-mini');

      await screenshot(page, 'viewer');

      // Melodi: the json message, user, thread metadata and its tokens.
      await melodiItem.click();
      await page.getByTestId('thread-heading').filter({ hasText: 'Plan three days in Lisbon' }).waitFor();
      await expect.poll(() => messages.count()).toBe(3);
      expect(await messages.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-role')))).toEqual([
        'user',
        'assistant',
        'assistant',
      ]);
      expect(await messages.nth(0).getByTestId('message-content').textContent()).toBe(
        'Plan three days in Lisbon',
      );
      expect(await messages.nth(1).getByTestId('message-json').locator('pre').textContent()).toBe(
        JSON.stringify({ destination: 'Lisbon', days: 3 }, null, 2),
      );
      expect(await messages.nth(2).getByTestId('message-content').textContent()).toBe('Here is your plan.');
      // The thread metadata's figures (Melodi keeps them for the latest turn) on the thread's last answer.
      expect(await chips(messages.nth(2))).toEqual(['in 12', 'out 34', 'model gpt-x', 'latest turn']);
      const head = page.getByTestId('thread-head');
      expect(await head.getByTestId('thread-id').textContent()).toBe('thread-1');
      expect(await head.getByTestId('thread-user').textContent()).toContain('Ada (u1)');
      expect(await head.getByTestId('thread-segment').textContent()).toBe('team eng');
      const metadata = await page.getByTestId('thread-metadata').textContent();
      expect(metadata).toContain('model');
      expect(metadata).toContain('gpt-x');
      await screenshot(page, 'viewer-melodi');

      // The selection survives a refresh of the data.
      await api('PUT', '/api/external/threads', { projectId: 1, externalId: 'other', messages: [] });
      await expect.poll(() => items.count()).toBe(3);
      expect(await melodiItem.getAttribute('aria-current')).toBe('true');
      expect(await page.getByTestId('thread-heading').textContent()).toBe('Plan three days in Lisbon');

      // Filtering narrows the list.
      await page.getByTestId('thread-filter').fill('paris');
      await expect.poll(() => items.count()).toBe(1);
      await page.getByTestId('thread-filter').fill('');

      expect(requested.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([]);
      expect(problems).toEqual([]);
    });

    it("shows new turns and new threads without a reload, keeping the reader's place", async () => {
      // Enough turns to overflow the page, so scrolling matters.
      const history = Array.from({ length: 24 }, (_, i) => ({
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: `turn ${i + 1}\nwith a second line`,
      }));
      const conversation = await api('POST', '/api/v1/conversations', {
        title: 'Live thread',
        messages: history,
      });
      const { page, problems } = await openViewer(`#mielto:${conversation.id}`);
      await page.getByTestId('thread-heading').filter({ hasText: 'Live thread' }).waitFor();
      await page.evaluate(() => {
        (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
      });
      const scroller = page.locator('#scroller');
      const distanceFromBottom = () =>
        scroller.evaluate((s) => s.scrollHeight - s.scrollTop - s.clientHeight);
      expect(await scroller.evaluate((s) => s.scrollHeight > s.clientHeight)).toBe(true);
      expect(await distanceFromBottom()).toBeLessThan(2); // opens at the latest turn

      // At the bottom: a new turn appears and the view follows it.
      await api('POST', '/api/v1/messages', {
        conversation_id: conversation.id,
        content: { role: 'assistant', content: 'second, live' },
      });
      const fresh = page.getByTestId('message').filter({ hasText: 'second, live' });
      await fresh.waitFor({ timeout: 15_000 });
      expect(await fresh.getAttribute('data-role')).toBe('assistant');
      expect(await page.getByTestId('message').count()).toBe(25);
      expect(await distanceFromBottom()).toBeLessThan(2);

      // Scrolled up to read: a new turn does not move the view, it offers a jump instead.
      await scroller.evaluate((s) => {
        s.scrollTop = 0;
      });
      await api('POST', '/api/v1/messages', {
        conversation_id: conversation.id,
        content: { content: 'third, live' },
      });
      await page.getByTestId('message').filter({ hasText: 'third, live' }).waitFor({ timeout: 15_000 });
      expect(await scroller.evaluate((s) => s.scrollTop)).toBe(0);
      expect(await page.getByTestId('jump-to-latest').textContent()).toBe('\u2193 1 new message');
      await page.getByTestId('jump-to-latest').click();
      expect(await distanceFromBottom()).toBeLessThan(2);
      expect(await page.getByTestId('jump-to-latest').isHidden()).toBe(true);

      await api('PUT', '/api/external/threads', {
        projectId: 2,
        externalId: 'arrived-later',
        messages: [{ role: 'user', content: 'hello' }],
      });
      await page
        .locator('[data-testid="thread-item"][data-key="thread:arrived-later"]')
        .waitFor({ timeout: 15_000 });
      // Still the thread the user was reading, in the same document.
      expect(await page.getByTestId('thread-heading').textContent()).toBe('Live thread');
      expect(
        await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
      ).toBe(true);
      expect(problems).toEqual([]);
    });

    it('renders captured markup as text and never runs it', async () => {
      const img = '<img src=x onerror="window.__pwned=1">';
      const script = '<script>window.__pwned=2</script>';
      const conversation = await api('POST', '/api/v1/conversations', {
        title: '<img src=x onerror="window.__pwned=3">',
        meta_data: { note: '<b onmouseover="window.__pwned=4">bold</b>' },
      });
      await api('POST', '/api/v1/messages', {
        conversation_id: conversation.id,
        content: [
          { role: 'user', content: `${img}\n${script}` },
          {
            role: 'assistant',
            content: script,
            tool_calls: [{ id: '<i>x</i>', type: 'function', function: { name: img, arguments: script } }],
          },
        ],
      });
      await api('PUT', '/api/external/threads', {
        projectId: 3,
        externalId: script,
        messages: [{ role: img, type: 'json', jsonContent: { html: img } }],
        externalUser: { externalId: 'u-x', name: img },
      });

      const { page, requested, problems } = await openViewer(`#mielto:${conversation.id}`);
      await expect.poll(() => page.getByTestId('message').count()).toBe(2);
      const contents = page.getByTestId('message-content');
      expect(await contents.nth(0).textContent()).toBe(`${img}\n${script}`);
      expect(await contents.nth(1).textContent()).toBe(script);
      expect(await page.getByTestId('thread-heading').textContent()).toBe(
        '<img src=x onerror="window.__pwned=3">',
      );
      expect(await page.getByTestId('tool-call').textContent()).toContain(img);

      await threadItem(page, 'melodi', '<script>').click();
      await page.getByTestId('message-json').waitFor();
      expect(await page.getByTestId('thread-heading').textContent()).toBe(script);
      expect(await page.getByTestId('message-role').textContent()).toBe(img);

      // Give a would-be image error handler time to fire, then check nothing became markup.
      await page.waitForTimeout(300);
      expect(
        await page.locator('main img, main script, main b, main i, aside img, aside script').count(),
      ).toBe(0);
      expect(await page.locator('script').count()).toBe(1); // the viewer's own
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(requested.filter((url) => url.endsWith('/x'))).toEqual([]);
      expect(problems).toEqual([]); // not even a blocked attempt (CSP violations are logged as errors)
    });

    it('shows one entry per thread with both backends side by side: chips, tool cards, error badges and filter', async () => {
      await sendChattrailThreads(api);
      const { page, requested, problems } = await openViewer('#thread:trip-1');
      const items = page.getByTestId('thread-item');
      await expect.poll(() => items.count()).toBe(4);

      // One entry per app thread, titled from Mielto, holding both copies; turns are the recorded ones.
      const trip = page.locator('[data-testid="thread-item"][data-key="thread:trip-1"]');
      expect(await trip.getByTestId('thread-title').textContent()).toBe('Plan a day in Lyon');
      expect(await trip.getByTestId('backend-badge').allTextContents()).toEqual(['Mielto', 'Melodi']);
      expect(await trip.getByTestId('thread-turns').textContent()).toBe('4 turns');
      expect(await trip.getByTestId('status-badge').textContent()).toBe('error');
      expect(await page.getByTestId('count-threads').textContent()).toBe('4');

      await page.getByTestId('thread-heading').filter({ hasText: 'Plan a day in Lyon' }).waitFor();
      const columns = page.getByTestId('backend-column');
      expect(await columns.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-backend')))).toEqual([
        'mielto',
        'melodi',
      ]);
      expect(await page.getByTestId('view-switch').locator('[aria-pressed="true"]').textContent()).toBe(
        'Side by side',
      );
      const mielto = column(page, 'mielto');
      const melodi = column(page, 'melodi');
      expect(await mielto.getByTestId('message').count()).toBe(7);
      expect(await melodi.getByTestId('message').count()).toBe(7);
      expect(await mielto.getByTestId('column-turns').textContent()).toBe('4 turns');
      expect(await melodi.getByTestId('column-turns').textContent()).toBe(
        '2 turns (answers: no turn ids here)',
      );
      expect(await page.getByTestId('thread-error').textContent()).toBe(
        'error APICallError: Service Unavailable (503)',
      );

      // Per assistant message: latency, time to first token, tokens (Mielto holds them per turn).
      const mieltoMessages = mielto.getByTestId('message');
      expect(await chips(mieltoMessages.nth(1))).toEqual([
        'latency 850 ms',
        'TTFT 310 ms',
        'in 120',
        'out 18',
        'total 138',
        'model gpt-4o-mini',
      ]);
      expect(await chips(mieltoMessages.nth(3))).toEqual([
        'latency 1.42 s',
        'TTFT 390 ms',
        'in 180',
        'out 24',
        'total 204',
        'reasoning 8',
        'cached 96',
        'model gpt-4o-mini',
      ]);
      expect(await mieltoMessages.nth(0).getByTestId('chips').count()).toBe(0);
      // Melodi holds the latest turn's figures only, in its thread metadata: shown on that turn's end.
      expect(await melodi.getByTestId('chips').count()).toBe(1);
      expect(await chips(melodi.getByTestId('message').nth(6))).toEqual([
        'latency 2.10 s',
        'model gpt-4o-mini',
        'latest turn',
      ]);

      // Tool calls as cards in both views: name, arguments, result, error state. No raw JSON.
      for (const copy of [mielto, melodi]) {
        const cards = copy.getByTestId('tool-call');
        expect(await cards.count()).toBe(2);
        expect(await cards.nth(0).getByTestId('tool-name').textContent()).toBe('get_weather');
        expect(await cards.nth(0).getByTestId('tool-args').textContent()).toBe(
          JSON.stringify({ city: 'Lyon' }, null, 2),
        );
        expect(await cards.nth(0).getByTestId('tool-output').textContent()).toBe(
          JSON.stringify({ city: 'Lyon', temperature_c: 17, sky: 'rain' }, null, 2),
        );
        expect(await cards.nth(0).getAttribute('data-state')).toBe('ok');
        expect(await cards.nth(1).getByTestId('tool-name').textContent()).toBe('book_ticket');
        expect(await cards.nth(1).getAttribute('data-state')).toBe('error');
        expect(await cards.nth(1).getByTestId('tool-state').textContent()).toBe('error');
        expect(await cards.nth(1).getByTestId('tool-output').textContent()).toBe(
          JSON.stringify({ error: 'sold out' }, null, 2),
        );
        expect(await copy.getByTestId('tool-result').count()).toBe(2);
        expect(await copy.getByTestId('message-json').count()).toBe(0);
      }
      // The message that ended the failed turn carries its badge and error.
      expect(await mieltoMessages.nth(6).getByTestId('status-badge').textContent()).toBe('error');
      expect(await mieltoMessages.nth(6).getByTestId('message-error').textContent()).toBe(
        'APICallError: Service Unavailable (503)',
      );
      await screenshot(page, 'viewer-merged-desktop');
      await page.locator('#scroller').evaluate((node) => {
        node.scrollTop = 0;
      });
      await screenshot(page, 'viewer-merged-desktop-top');

      // A switch shows one backend at a time.
      await page.getByTestId('view-switch').locator('[data-view="melodi"]').click();
      await expect.poll(() => columns.count()).toBe(1);
      expect(await melodi.count()).toBe(1);
      await page.getByTestId('view-switch').locator('[data-view="both"]').click();
      await expect.poll(() => columns.count()).toBe(2);

      // The status filter: all / ok / error / aborted.
      const filter = page.getByTestId('status-filter');
      const shownKeys = () =>
        items.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-key')).sort());
      expect(await filter.locator('button').allTextContents()).toEqual([
        'All 4',
        'OK 1',
        'Error 2',
        'Aborted 1',
      ]);
      await filter.locator('[data-status="error"]').click();
      await expect.poll(shownKeys).toEqual(['thread:fail-1', 'thread:trip-1']);
      expect(await items.getByTestId('status-badge').allTextContents()).toEqual(['error', 'error']);
      // A turn that failed before answering: Mielto holds only the question, Melodi the error.
      await page.locator('[data-testid="thread-item"][data-key="thread:fail-1"]').click();
      await page.getByTestId('thread-heading').filter({ hasText: 'Summarise my inbox' }).waitFor();
      const failed = page.getByTestId('turn-failed');
      expect(await failed.count()).toBe(2);
      expect(await failed.first().textContent()).toContain('TimeoutError: model call timed out after 3 s');
      expect(await chips(failed.first())).toEqual(['latency 3.00 s', 'latest turn']);
      await screenshot(page, 'viewer-error-filter-desktop');

      await filter.locator('[data-status="aborted"]').click();
      await expect.poll(shownKeys).toEqual(['thread:aborted-1']);
      expect(await items.getByTestId('status-badge').getAttribute('data-status')).toBe('aborted');
      await filter.locator('[data-status="ok"]').click();
      await expect.poll(shownKeys).toEqual(['thread:ok-1']);
      expect(await items.getByTestId('status-badge').count()).toBe(0);
      await filter.locator('[data-status="all"]').click();
      await expect.poll(() => items.count()).toBe(4);

      expect(requested.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([]);
      expect(problems).toEqual([]);
    });

    it('is usable 400 px wide: the list collapses above the thread, one backend at a time, nothing overflows', async () => {
      await sendChattrailThreads(api);
      const { page, problems } = await openViewer('#thread:trip-1', 400);
      await page.getByTestId('thread-heading').filter({ hasText: 'Plan a day in Lyon' }).waitFor();
      const noOverflow = { page: 0, scroller: 0, list: 0 };

      // The thread comes first; the list waits behind its toggle.
      expect(await page.getByTestId('thread-list').isVisible()).toBe(false);
      expect(await page.getByTestId('list-toggle').textContent()).toMatch(/Threads\s+4/);
      expect(await page.getByTestId('backend-column').count()).toBe(1);
      expect(await page.getByTestId('view-switch').locator('[data-view="both"]').isVisible()).toBe(false);
      const mielto = column(page, 'mielto');
      expect(await chips(mielto.getByTestId('message').nth(3))).toContain('latency 1.42 s');
      expect(await mielto.getByTestId('tool-call').count()).toBe(2);
      expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(400);
      expect(await horizontalOverflow(page)).toEqual(noOverflow);
      await screenshot(page, 'viewer-400-mielto');
      // The first turn, with its tool card and chips, scrolled into view.
      await mielto.getByTestId('tool-call').first().scrollIntoViewIfNeeded();
      await screenshot(page, 'viewer-400-tool-card');

      await page.getByTestId('view-switch').locator('[data-view="melodi"]').click();
      await column(page, 'melodi').waitFor();
      expect(await column(page, 'melodi').getByTestId('tool-call').count()).toBe(2);
      expect(await horizontalOverflow(page)).toEqual(noOverflow);
      await screenshot(page, 'viewer-400-melodi');

      // The list opens above the thread, with its filter; picking a thread folds it again.
      await page.getByTestId('list-toggle').click();
      await page.getByTestId('thread-list').waitFor();
      await page.getByTestId('status-filter').locator('[data-status="error"]').click();
      await expect.poll(() => page.getByTestId('thread-item').count()).toBe(2);
      expect(await horizontalOverflow(page)).toEqual(noOverflow);
      await screenshot(page, 'viewer-400-list-error-filter');
      await page.locator('[data-testid="thread-item"][data-key="thread:fail-1"]').click();
      await page.getByTestId('thread-heading').filter({ hasText: 'Summarise my inbox' }).waitFor();
      expect(await page.getByTestId('thread-list').isVisible()).toBe(false);
      expect(await page.getByTestId('turn-failed').isVisible()).toBe(true);
      expect(await horizontalOverflow(page)).toEqual(noOverflow);
      await screenshot(page, 'viewer-400-failed-turn');
      expect(problems).toEqual([]);
    });
  },
);
