// The chat page in headless Chromium: type a message, watch the answer stream in, then find the same
// turn in the devserver, as Mielto and Melodi received it.
import { type DevServer, startDevServer } from '@chattrail/devserver';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The one Chromium launcher of the repo's browser tests (Debian's /usr/bin/chromium, flags for this network).
import {
  chromiumSkipReason,
  hasChromium,
  launchChromium,
} from '../../../packages/devserver/test/launch-chromium.ts';
import { type ChatApp, startChatApp } from '../src/start-chat-app.ts';

describe.skipIf(!hasChromium)(
  `chat page in Chromium${hasChromium ? '' : ` (skipped: ${chromiumSkipReason})`}`,
  () => {
    let devserver: DevServer;
    let app: ChatApp;
    let browser: Browser;
    beforeAll(async () => {
      // A small delay between streamed chunks, so the page is seen mid-answer.
      devserver = await startDevServer({ port: 0, completionChunkDelayMs: 40 });
      app = await startChatApp({ port: 0, devserver });
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await app?.close();
      await devserver?.close();
    });

    it('streams the answer into the page and the turn reaches the devserver', async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${app.url}/`);
        const threadId = (await page.locator('#thread-id').textContent())!;
        expect(threadId).toMatch(/^[0-9a-f-]{36}$/);

        // Every text the assistant bubble shows on its way to the final answer, recorded in the page.
        await page.evaluate(() => {
          const seen: string[] = [];
          (window as unknown as { seenTexts: string[] }).seenTexts = seen;
          new MutationObserver(() => {
            const bubbles = document.querySelectorAll('.message[data-role="assistant"]');
            const text = bubbles[bubbles.length - 1]?.textContent ?? '';
            if (text !== seen[seen.length - 1]) seen.push(text);
          }).observe(document.getElementById('messages')!, {
            childList: true,
            subtree: true,
            characterData: true,
          });
        });
        await page.fill('#input', 'What is the weather in Paris?');
        await page.click('#send');
        const assistant = page.locator('.message[data-role="assistant"]').last();
        await page.waitForFunction(
          () =>
            document.body.dataset.status === 'ready' &&
            document.querySelector('.message[data-role="assistant"]'),
          undefined,
          { timeout: 30_000 },
        );
        const answer = (await assistant.textContent())!;
        expect(answer).toContain('→ get_weather({"city":"Paris"})');
        expect(answer).toContain(
          'Here is what the tool returned: {"city":"Paris","temperatureC":17,"sky":"cloudy"}',
        );
        // Streamed, not delivered at once: the bubble showed partial answers before the final one.
        const seen = await page.evaluate(() => (window as unknown as { seenTexts: string[] }).seenTexts);
        const partials = seen.filter(
          (text) => text.length > 0 && text.length < answer.length && answer.startsWith(text),
        );
        expect(partials.length, JSON.stringify(seen)).toBeGreaterThanOrEqual(2);

        // A second turn from the page resends the history, tool call included.
        await page.fill('#input', 'Thanks!');
        await page.click('#send');
        await page.waitForFunction(
          () =>
            document.querySelectorAll('.message[data-role="assistant"]').length === 2 &&
            document.body.dataset.status === 'ready',
          undefined,
          { timeout: 20_000 },
        );
        expect(await page.locator('.message[data-role="assistant"]').last().textContent()).toContain(
          'This is turn 2',
        );

        await app.trail.flush?.({ timeoutMs: 10_000 });
        const [thread] = await (
          await fetch(`${devserver.url}/_devserver/melodi/threads?externalId=${encodeURIComponent(threadId)}`)
        ).json();
        expect(thread.messages.map((m: { role: string }) => m.role)).toEqual([
          'system',
          'user',
          'assistant',
          'tool',
          'assistant',
          'user',
          'assistant',
        ]);
        expect(thread.messages[4].content).toBe(
          'Here is what the tool returned: {"city":"Paris","temperatureC":17,"sky":"cloudy"}',
        );
        const conversations = await (await fetch(`${devserver.url}/_devserver/mielto/conversations`)).json();
        const conversation = conversations.find(
          (c: { meta_data?: { thread_id?: string } }) => c.meta_data?.thread_id === threadId,
        );
        expect(conversation.messages).toHaveLength(7);

        await page.screenshot({ path: 'test-output/chat-page.png', fullPage: true });
      } finally {
        await page.close();
      }
    });
  },
);
