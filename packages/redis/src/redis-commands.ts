/** Sends one Redis command (its name and arguments as strings) and resolves with Redis's answer. */
export type RedisCall = (args: string[]) => Promise<unknown>;

/**
 * A connected client of either library: node-redis (`redis`, v4 and later: `sendCommand`) or ioredis
 * (`call`). Only these methods are used, so a wrapper of your own that has one of them works too.
 */
export type RedisClientLike =
  | { sendCommand(args: string[]): Promise<unknown> }
  | { call(command: string, ...args: string[]): Promise<unknown> };

/** The client's way of sending a raw command. */
export function commandsOf(client: RedisClientLike): RedisCall {
  // ioredis has a `sendCommand` too, taking its own Command objects: `call` first.
  if (typeof (client as { call?: unknown })?.call === 'function') {
    const c = client as { call(command: string, ...args: string[]): Promise<unknown> };
    return (args) => c.call(args[0]!, ...args.slice(1));
  }
  if (typeof (client as { sendCommand?: unknown })?.sendCommand === 'function') {
    const c = client as { sendCommand(args: string[]): Promise<unknown> };
    return (args) => c.sendCommand(args);
  }
  throw new TypeError(
    'redisStore(): client must be a node-redis client (sendCommand) or an ioredis client (call)',
  );
}

/** What `redisStore({ url })` creates: a node-redis client, made to fail fast rather than queue while down. */
export interface OwnedClient {
  call: RedisCall;
  close(): Promise<void>;
}

interface NodeRedisClient {
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  isReady: boolean;
  unref?(): void;
  ref?(): void;
  destroy?(): void;
  disconnect?(): Promise<void>;
}

/**
 * Connects to `url` with node-redis (loaded on first use: the package is an optional peer). Commands sent
 * while it is not connected fail at once (no offline queue): the trail then uses in-process state, and
 * the client reconnects in the background. An idle connection never keeps the process alive.
 */
export function connectTo(url: string, connectTimeoutMs: number): OwnedClient {
  let client: NodeRedisClient | undefined;
  let closed = false;
  let connected = false;
  let inFlight = 0;
  const ready = (async () => {
    const { createClient } = (await import('redis')) as unknown as {
      createClient(options: object): NodeRedisClient;
    };
    client = createClient({
      url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: connectTimeoutMs,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
      },
    });
    // Failures reach the trail through the commands; an 'error' event without a listener would crash the app.
    client.on('error', () => {});
    if (closed) return client;
    await client.connect();
    connected = true;
    client.unref?.();
    return client;
  })();
  ready.catch(() => {});
  return {
    call: async (args) => {
      // The first connection is waited for (bounded); after it, a client that lost Redis fails at once.
      if (client?.isReady !== true && !connected) await Promise.race([ready, delay(connectTimeoutMs)]);
      const c = client;
      if (c?.isReady !== true) throw new Error(`Redis at ${redactUrl(url)} is not connected`);
      // The socket keeps the process alive only while a command is waiting for its answer (as a request
      // in flight does): an idle connection never holds up the app's exit.
      if (inFlight++ === 0) c.ref?.();
      try {
        return await c.sendCommand(args);
      } finally {
        if (--inFlight === 0) c.unref?.();
      }
    },
    close: async () => {
      closed = true;
      const c = await Promise.race([ready.catch(() => client), delay(100).then(() => client)]);
      if (c === undefined) return;
      try {
        if (c.isReady && c.disconnect !== undefined) await c.disconnect();
        else c.destroy?.();
      } catch {
        c.destroy?.();
      }
    },
  };
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => {
    // Never what keeps the process alive.
    (setTimeout(resolve, ms) as { unref?: () => void }).unref?.();
  });
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given URL';
  }
}
