import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getChatTrailContext, type Turn, type TurnRecorder } from '@chattrail/core';
import express5 from 'express';
import express4 from 'express-v4';

/** Both majors the peer range promises, each test runs on both. */
export const EXPRESS = [
  { name: 'express 4', express: express4 },
  { name: 'express 5', express: express5 },
] as const;

export type ExpressModule = typeof express5;

/**
 * A recorder that keeps every turn, and, like the real trail, tells the request's capture which adapter
 * recorded (so the recorded-once rule can be exercised without the trail).
 */
export class RecordingTrail implements TurnRecorder {
  readonly turns: Turn[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  record(turn: Turn): void {
    this.turns.push(turn);
    getChatTrailContext()?.capture?.sources.push(turn.source);
    this.waiters = this.waiters.filter((w) => {
      if (this.turns.length < w.count) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once `count` turns were recorded in total (fails after `timeoutMs`, generous for a loaded machine). */
  async waitFor(count: number, timeoutMs = 20_000): Promise<Turn[]> {
    if (this.turns.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} turn(s), got ${this.turns.length}`)),
          timeoutMs,
        );
        this.waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.turns;
  }

  async last(): Promise<Turn> {
    await this.waitFor(this.turns.length === 0 ? 1 : this.turns.length);
    return this.turns[this.turns.length - 1]!;
  }
}

/** Lets every pending finalisation run (they run one macrotask after the response). */
export async function settle(ms = 60): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Listening {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function listen(app: RequestListener): Promise<Listening> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** `data: <json>\n\n` */
export const sse = (data: unknown, event?: string) =>
  `${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

export function chatChunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test',
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  };
}

/** An OpenAI Chat SSE body: text, one tool call in argument pieces, a usage chunk and `[DONE]`. */
export function openAIChatStream(text: string[]): string[] {
  return [
    sse(chatChunk({ role: 'assistant', content: '' })),
    ...text.map((piece) => sse(chatChunk({ content: piece }))),
    sse(
      chatChunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      }),
    ),
    sse(chatChunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })),
    sse(chatChunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })),
    sse({ ...chatChunk({}), choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
    sse({
      ...chatChunk({}),
      choices: [],
      usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
    }),
    'data: [DONE]\n\n',
  ];
}

export function chatCompletion(content: string, extra: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-2',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-test',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    ...extra,
  };
}
