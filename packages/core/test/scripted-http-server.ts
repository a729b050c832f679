import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 whose answers a test scripts request by request. Client tests use it
 * instead of mocking `fetch`, so timeouts, dropped sockets, headers and bodies go through the real stack.
 */

/** A request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw body text. */
  body: string;
  /** The body parsed as JSON (`undefined` when empty or not JSON). */
  json: any;
  /** Milliseconds since the server started; for measuring retry delays. */
  receivedAt: number;
}

/** How to answer one request. */
export type ScriptedReply =
  | { status?: number; headers?: Record<string, string>; json?: unknown; text?: string; delayMs?: number }
  /** Never answer (the client's timeout or abort must end the request). */
  | { hang: true }
  /** Destroy the socket without a response. */
  | { drop: true };

export type ScriptedHandler = (
  request: RecordedRequest,
  index: number,
) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request received so far, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Answers the given replies in order; the last one repeats for any further request. */
export function inSequence(...replies: ScriptedReply[]): ScriptedHandler {
  return (_request, index) => replies[Math.min(index, replies.length - 1)]!;
}

export async function startScriptedServer(handler: ScriptedHandler): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const started = performance.now();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        json,
        receivedAt: performance.now() - started,
      };
      requests.push(recorded);
      let reply: ScriptedReply;
      try {
        reply = await handler(recorded, requests.length - 1);
      } catch (error) {
        reply = { status: 599, json: { detail: `test handler threw: ${String(error)}` } };
      }
      if ('hang' in reply) return;
      if ('drop' in reply) {
        req.socket.destroy();
        return;
      }
      if (reply.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      const text = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
      const headers: Record<string, string> = { ...reply.headers };
      if (reply.json !== undefined) headers['content-type'] ??= 'application/json';
      res.writeHead(reply.status ?? 200, headers);
      res.end(text);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
