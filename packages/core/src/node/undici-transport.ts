import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import { ChatTrailError } from '../errors';
import type { Transport } from '../http/transport';
import { LruMap } from '../internal/lru-map';
import { quietly } from '../internal/quietly';
import { optionChecker } from '../options/option-checker';
import { ExchangeHandler, LegacyExchangeHandler } from './undici-exchange';

type HttpMethod = Undici.Dispatcher.HttpMethod;

/** Options of {@link undiciTransport}. */
export interface UndiciTransportOptions {
  /** Keep-alive connections per origin, one request each at a time. Default 32 (Mielto: ≤ 24 at once). */
  connections?: number;
  /** An idle connection is closed after this long (sooner if the server's `Keep-Alive` says so). Default 30,000 ms. */
  idleTimeoutMs?: number;
  /**
   * `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` (or lower case). Default: `process.env` when Node runs with
   * `NODE_USE_ENV_PROXY=1` or `--use-env-proxy` (as the global `fetch` then does), else none. `null`: none.
   */
  proxyEnv?: Readonly<Record<string, string | undefined>> | null;
}

/** A {@link Transport} holding connections; `close()` ends them (idle ones do not keep a process alive). */
export interface UndiciTransport extends Transport {
  close(): Promise<void>;
}

/**
 * A {@link Transport} over undici's `dispatch()` on keep-alive connections, without the `Response`, `Headers`
 * and web streams on which `fetch` spends most of the trail's CPU (BENCHMARKS.md). undici is an optional peer
 * dependency, loaded when this is called: `mielto({ transport: undiciTransport() })`.
 * @throws {ChatTrailError} when undici is not installed (`npm i undici`), or an option is malformed.
 */
export function undiciTransport(options: UndiciTransportOptions = {}): UndiciTransport {
  const check = optionChecker('undiciTransport()');
  const connections = check.positiveInteger('connections', options.connections ?? 32, 32);
  const idleTimeoutMs = check.positiveNumber('idleTimeoutMs', options.idleTimeoutMs ?? 30_000, 30_000);
  const undici = loadUndici();
  const Exchange = undiciMajor() >= 8 ? ExchangeHandler : LegacyExchangeHandler;
  const agentOptions = { connections, keepAliveTimeout: idleTimeoutMs, keepAliveMaxTimeout: idleTimeoutMs };
  let env = options.proxyEnv;
  if (env === undefined) env = usesEnvProxy(process.env, process.execArgv) ? process.env : null;
  const httpProxy = env?.HTTP_PROXY ?? env?.http_proxy ?? '';
  const httpsProxy = env?.HTTPS_PROXY ?? env?.https_proxy ?? '';
  // No proxy: the plain Agent. `''`, not undefined, or EnvHttpProxyAgent reads process.env past `proxyEnv`.
  const dispatcher: Undici.Dispatcher =
    httpProxy === '' && httpsProxy === ''
      ? new undici.Agent(agentOptions)
      : new undici.EnvHttpProxyAgent({
          ...agentOptions,
          httpProxy,
          httpsProxy,
          noProxy: env?.NO_PROXY ?? env?.no_proxy ?? '',
        });

  // A destination sends to the same few URLs all day (bounded: some paths carry ids).
  const targets = new LruMap<string, { origin: string; path: string }>(64);
  const send: Transport = (request) =>
    new Promise((resolve, reject) => {
      let target = targets.get(request.url);
      if (target === undefined) {
        // A malformed URL throws here, which rejects the promise with it.
        const url = new URL(request.url);
        target = { origin: url.origin, path: `${url.pathname}${url.search}` };
        targets.set(request.url, target);
      }
      const exchange = new Exchange(request, resolve, reject);
      if (exchange.settled) return;
      const { origin, path } = target;
      const { method, headers, body } = request;
      try {
        dispatcher.dispatch({ origin, path, method: method as HttpMethod, headers, body }, exchange);
      } catch (error) {
        exchange.fail(error);
      }
    });
  return Object.assign(send, { close: () => dispatcher.close() });
}

/** Whether Node was told to send its own requests through the proxy the environment names. */
export function usesEnvProxy(env: Readonly<Record<string, string | undefined>>, execArgv: readonly string[]) {
  const flag = (args: readonly string[]) => args.includes('--use-env-proxy');
  return env.NODE_USE_ENV_PROXY === '1' || flag(execArgv) || flag((env.NODE_OPTIONS ?? '').split(/\s+/));
}

const requireHere = (id: string): unknown => createRequire(import.meta.url)(id);

/** The major version of the undici {@link loadUndici} found; 7 when its package.json cannot be read. */
function undiciMajor(): number {
  const package_ = quietly(() => requireHere('undici/package.json') as { version: string });
  return quietly(() => Number(package_!.version.split('.')[0])) ?? 7;
}

/** undici, found as an `import` would; synchronous, so a missing package is reported when the transport is made. */
function loadUndici(): typeof Undici {
  try {
    return requireHere('undici') as typeof Undici;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ChatTrailError(
      'undiciTransport() needs the undici package, an optional peer dependency of @chattrail/core: npm i undici',
      { cause: error },
    );
  }
}
