import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { chatTrailMiddleware } from '@chattrail/ai-sdk';
import { type ChatTrailOptions, createChatTrail, melodi, mielto, type TurnRecorder } from '@chattrail/core';
import { type DevServer, startDevServer } from '@chattrail/devserver';
import { convertToModelMessages, stepCountIs, streamText, type UIMessage, wrapLanguageModel } from 'ai';
import { chatPageHtml } from './chat-page.ts';
import { getWeather } from './weather-tool.ts';

/** Where the app sends turns: a trail (flushed on close) or any recorder. */
export type ChatAppTrail = TurnRecorder & {
  flush?: (options?: { timeoutMs?: number }) => Promise<unknown>;
  shutdown?: (options?: { timeoutMs?: number }) => Promise<unknown>;
};

export interface ChatAppOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * The local Mielto + Melodi emulator: its OpenAI-compatible /chat/completions is the model, and its
   * Mielto and Melodi APIs receive the turns. Default: one started here (and closed by `close()`).
   */
  devserver?: Pick<DevServer, 'url' | 'mieltoBaseUrl' | 'melodiBaseUrl'>;
  /** Where turns go. Default: a trail with a Mielto and a Melodi destination on the devserver. */
  trail?: ChatAppTrail;
  /** Options for that default trail (destinations excepted). */
  trailOptions?: Omit<ChatTrailOptions, 'destinations'>;
  /** Model id sent to the completions endpoint. Default `scripted-chat`. */
  modelId?: string;
  /** System prompt. */
  system?: string;
}

export interface ChatApp {
  /** e.g. `http://127.0.0.1:51234`; the chat page is at `/`, the endpoint at `/api/chat`. */
  url: string;
  trail: ChatAppTrail;
  devserver: Pick<DevServer, 'url' | 'mieltoBaseUrl' | 'melodiBaseUrl'>;
  /** Stops the server, flushes and shuts down the trail it created, and the devserver it started. */
  close(): Promise<void>;
}

/** The `useChat` request body (`HttpChatTransport`), plus an optional user id this example accepts. */
interface ChatRequestBody {
  id?: unknown;
  messages?: unknown;
  userId?: unknown;
}

const DEFAULT_SYSTEM = 'You are a concise assistant. Use the get_weather tool for weather questions.';

/**
 * Starts the example: a node:http server whose POST /api/chat runs `streamText` through
 * `chatTrailMiddleware` and streams the AI SDK UI message stream back, and whose GET / is the chat page.
 */
export async function startChatApp(options: ChatAppOptions = {}): Promise<ChatApp> {
  const ownDevserver = options.devserver === undefined ? await startDevServer({ port: 0 }) : undefined;
  const devserver = options.devserver ?? ownDevserver!;
  const ownTrail =
    options.trail === undefined
      ? createChatTrail({
          ...options.trailOptions,
          destinations: [
            mielto({ apiKey: 'demo-mielto-key', baseUrl: devserver.mieltoBaseUrl, agentId: 'weather-bot' }),
            melodi({ apiKey: 'demo-melodi-key', projectId: 1, baseUrl: devserver.melodiBaseUrl }),
          ],
        })
      : undefined;
  const trail: ChatAppTrail = options.trail ?? ownTrail!;

  // The one line this example is about: every model call of this model is recorded as a turn.
  const provider = createOpenAICompatible({
    name: 'mielto',
    baseURL: devserver.mieltoBaseUrl,
    apiKey: 'demo',
    includeUsage: true,
  });
  const model = wrapLanguageModel({
    model: provider.chatModel(options.modelId ?? 'scripted-chat'),
    middleware: chatTrailMiddleware({ trail, metadata: { app: 'ai-sdk-chat' } }),
  });
  const system = options.system ?? DEFAULT_SYSTEM;
  const page = chatPageHtml({ viewerUrl: `${devserver.url}/` });

  async function handleChat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: ChatRequestBody;
    try {
      body = JSON.parse(await readBody(req)) as ChatRequestBody;
    } catch {
      sendJson(res, 400, { error: 'expected a JSON body { id, messages }' });
      return;
    }
    if (!Array.isArray(body.messages)) {
      sendJson(res, 400, { error: '`messages` must be an array of UI messages' });
      return;
    }
    const threadId = typeof body.id === 'string' ? body.id : undefined;
    const userId = typeof body.userId === 'string' ? body.userId : 'demo-user';
    // A closed connection aborts the model call, so the turn is recorded as aborted with what streamed.
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const result = streamText({
      model,
      system,
      messages: await convertToModelMessages(body.messages as UIMessage[]),
      tools: { get_weather: getWeather },
      stopWhen: stepCountIs(5),
      abortSignal: abort.signal,
      // Per-call identity for the middleware (removed before the request reaches the provider).
      providerOptions: { chattrail: threadId === undefined ? { userId } : { threadId, userId } },
    });
    result.pipeUIMessageStreamToResponse(res, {
      onError: (error) => `The model failed: ${error instanceof Error ? error.message : String(error)}`,
    });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
    } else if (req.method === 'POST' && path === '/api/chat') {
      handleChat(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: String((error as Error)?.message ?? error) });
        else res.destroy();
      });
    } else if (req.method === 'GET' && path === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      sendJson(res, 404, { error: 'not found' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    trail,
    devserver,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ownTrail?.shutdown({ timeoutMs: 5_000 });
      await ownDevserver?.close();
    },
  };
}

function readBody(req: IncomingMessage, maxBytes = 5 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
