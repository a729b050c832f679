import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TurnRecorder } from '@chattrail/core';
import { chatTrail } from '@chattrail/express';
import express, { type Request, type Response } from 'express';

export interface ExpressProxyOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The OpenAI-compatible API requests are forwarded to, e.g. the devserver's `…/api/v1`. */
  upstreamBaseUrl: string;
  /** Sent upstream when the client sends no `Authorization`. */
  upstreamApiKey?: string;
  /** Where turns go: a trail from `createChatTrail`, or any recorder. */
  trail: TurnRecorder;
}

export interface ExpressProxy {
  /** e.g. `http://127.0.0.1:51234`; point an OpenAI client at `${url}/v1`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible `POST /v1/chat/completions` that forwards to `upstreamBaseUrl` and pipes the answer
 * back byte for byte, JSON or SSE. The route knows nothing about logging: `chatTrail()` mounted on `/v1`
 * records every turn from the request and the response as they pass through.
 */
export async function startExpressProxy(options: ExpressProxyOptions): Promise<ExpressProxy> {
  const upstream = options.upstreamBaseUrl.replace(/\/+$/, '');
  const app = express();
  app.disable('x-powered-by');
  app.use(
    '/v1',
    express.json({ limit: '10mb' }),
    // The one line this example is about. The OpenAI `user` field names the user; a client may name the
    // conversation with an `x-thread-id` header, else the thread is derived from its opening messages.
    chatTrail({ trail: options.trail, headers: { threadId: 'x-thread-id', userId: 'x-user-id' } }),
  );
  app.post('/v1/chat/completions', (req, res) => forward(req, res, `${upstream}/chat/completions`, options));

  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve(s));
    // Longer than clients' idle timeouts (undici: 4 s), so a client never reuses a connection the proxy is
    // closing, which Node's default of 5 s allows when timers run late on a loaded machine.
    s.keepAliveTimeout = 65_000;
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Forwards one request and streams the upstream answer through `res` (backpressure included). */
async function forward(
  req: Request,
  res: Response,
  url: string,
  options: ExpressProxyOptions,
): Promise<void> {
  // A client that hangs up stops the upstream call too.
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const authorization =
    req.get('authorization') ?? (options.upstreamApiKey && `Bearer ${options.upstreamApiKey}`);
  if (authorization) headers.authorization = authorization;
  const userId = req.get('x-user-id');
  if (userId) headers['x-user-id'] = userId;

  let upstream: globalThis.Response;
  try {
    upstream = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(req.body),
      signal: controller.signal,
    });
  } catch (error) {
    if (!res.headersSent && !controller.signal.aborted) {
      res.status(502).json({
        error: { message: `upstream unreachable: ${(error as Error).message}`, type: 'upstream_error' },
      });
    }
    return;
  }
  res.status(upstream.status);
  for (const name of ['content-type', 'cache-control', 'x-request-id']) {
    const value = upstream.headers.get(name);
    if (value !== null) res.setHeader(name, value);
  }
  if (upstream.body === null) {
    res.end();
    return;
  }
  try {
    await pipeline(Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream), res);
  } catch {
    // The client went away or upstream broke off: nothing more to send.
    controller.abort();
  }
}
