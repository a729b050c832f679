import type { HttpClientOptions, RequestOptions } from '../http/http-options';
import type { Transport } from '../http/transport';
import { optionChecker } from '../options/option-checker';
import type { ChatTrailDestination, DestinationSendContext } from '../spec/chat-trail-destination';
import { type DestinationSpec, keepSpec } from './destination-spec';

/** Options the built-in destinations share. */
export interface ClientDestinationOptions<Client> {
  /** A client to share (its timeout applies unless given here; its retries do not). Default: a new one. */
  client?: Client;
  /** The `fetch` its client uses. Default: the global `fetch`, per request. Ignored with `client`. */
  fetch?: typeof fetch;
  /**
   * Sends its client's requests instead of `fetch` (not together with it). On Node, `undiciTransport()` from
   * `@chattrail/core/node` costs the trail less CPU per request. Ignored with `client`.
   */
  transport?: Transport;
  /** Per-attempt timeout. Default: the trail's `timeoutMs` (10 s). */
  timeoutMs?: number;
  /** @deprecated Ignored: the trail retries failed batches (`maxAttempts`). A value but 0 warns once. */
  maxRetries?: number;
}

/** The start of `mielto()` and `melodi()` (their spec kept); `kind` is their default name. */
export function clientDestination<Client>(
  destination: ChatTrailDestination,
  kind: DestinationSpec['kind'],
  options: ClientDestinationOptions<Client> & { name?: string },
  newClient: (http: HttpClientOptions) => Client,
  extra?: RequestOptions,
) {
  keepSpec(destination, kind, options);
  const check = optionChecker(`${kind}()`);
  const name = check.string('name', options.name) ?? kind;
  check.positiveNumber('timeoutMs', options.timeoutMs, 1);
  check.ignoredRetries(options.maxRetries);
  const { client, fetch, transport, timeoutMs } = options;
  // Once per attempt, a shared client too (the lane is the one retry layer); a shared one keeps its timeout.
  const requestOptions = (context: DestinationSendContext): RequestOptions => {
    const ms = options.timeoutMs ?? (client === undefined ? context.timeoutMs : undefined);
    const base: RequestOptions = { signal: context.signal, maxRetries: 0, ...extra };
    return ms === undefined ? base : { ...base, timeoutMs: ms };
  };
  // The client checks `fetch` and `transport`.
  const own = client ?? newClient({ fetch, transport, timeoutMs, maxRetries: 0 });
  return { check, name, client: own, requestOptions };
}
