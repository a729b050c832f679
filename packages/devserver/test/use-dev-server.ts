import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type DevServer, type DevServerOptions, startDevServer } from '../src/index.js';

export interface DevServerHandle {
  server: DevServer;
  /** fetch against the server with JSON encoding and the given key (Mielto: Bearer, Melodi: api-key). */
  mielto(path: string, init?: JsonInit): Promise<JsonResponse>;
  melodi(path: string, init?: JsonInit): Promise<JsonResponse>;
  admin(path: string, init?: JsonInit): Promise<JsonResponse>;
}

export interface JsonInit {
  method?: string;
  body?: unknown;
  /** A raw body sent as is (for malformed input); wins over `body`. */
  raw?: string;
  headers?: Record<string, string>;
  key?: string | null;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any;
}

async function call(
  url: string,
  init: JsonInit,
  authHeader: (key: string) => Record<string, string>,
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...(init.key === null ? {} : authHeader(init.key ?? 'dev-key')) };
  let body: string | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { ...headers, ...init.headers },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Starts one devserver for the file and resets it before each test. */
export function useDevServer(options: DevServerOptions = {}): DevServerHandle {
  const handle = {} as DevServerHandle;
  beforeAll(async () => {
    handle.server = await startDevServer({ port: 0, host: '127.0.0.1', ...options });
  });
  beforeEach(() => handle.server.reset());
  afterAll(async () => {
    await handle.server?.close();
  });
  handle.mielto = (path, init = {}) =>
    call(`${handle.server.mieltoBaseUrl}${path}`, init, (key) => ({ authorization: `Bearer ${key}` }));
  handle.melodi = (path, init = {}) =>
    call(`${handle.server.melodiBaseUrl}${path}`, init, (key) => ({ 'api-key': key }));
  // As a script would: the admin header lets state-changing calls without a JSON body (DELETE /faults,
  // POST /reset) through the devserver's cross-site guard.
  handle.admin = (path, init = {}) =>
    call(
      `${handle.server.url}/_devserver${path}`,
      { key: null, ...init, headers: { 'x-chattrail-devserver': '1', ...init.headers } },
      () => ({}),
    );
  return handle;
}
