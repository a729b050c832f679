import type { FaultRule } from './faults/fault-rule.js';

export interface DevServerOptions {
  /** Port to listen on; 0 picks a free one. Default 0 (the CLI defaults to 4477). */
  port?: number;
  /**
   * Interface to bind. Default `127.0.0.1`. Requests are answered only when their `Host` header is a
   * loopback name or address (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`), this host, any IP
   * address when it is `0.0.0.0` or `::`, or one of `allowedHosts`; others get a 403 (DNS rebinding).
   */
  host?: string;
  /**
   * More `Host` names to answer (a leading dot allows the domain and its subdomains, `.example.com`),
   * or `'all'` to turn the check off. Default none.
   */
  allowedHosts?: string[] | 'all';
  /** Keep all data in this JSON file, loaded at start and written on change and on close. */
  persistPath?: string;
  /**
   * Accepted keys per backend. A backend without a list accepts any non-empty key (handy for demos);
   * a missing key is always a 401, and with a list any other key is a 401 too.
   */
  apiKeys?: { mielto?: string[]; melodi?: string[] };
  /** Faults active from start-up; change them later with `setFaults` or `PUT /_devserver/faults`. */
  faults?: FaultRule[];
  /** Seed for `rate` faults, so a run can be repeated. Default 1. */
  faultSeed?: number;
  /** Bodies over this many bytes get a 413. Default 10 MiB. */
  maxBodyBytes?: number;
  /**
   * Request-body bytes held at once across all requests. A body that does not fit next to those in flight
   * gets a 503 with `Retry-After: 1`; one larger than this on its own a 413. Default 64 MiB.
   */
  maxInFlightBodyBytes?: number;
  /** JSON nested deeper than this is refused (422 on Mielto, 400 on Melodi). Default 64. */
  maxJsonDepth?: number;
  /** Pause between streamed completion chunks, to watch a stream arrive. Default 0. */
  completionChunkDelayMs?: number;
  /**
   * How `PUT /threads` treats a thread it already has. The seed only says the body is "the full thread
   * object": `'merge'` (default) updates known `externalId`s in place and appends new ones, and merges
   * metadata keys; `'replace'` keeps exactly the body's messages and metadata. Test a client against both
   * readings.
   */
  melodiThreadMessages?: 'merge' | 'replace';
  /** How many recent requests `/_devserver/requests` keeps. Default 500. */
  requestLogSize?: number;
  /** Called with one line per request (the CLI prints them). */
  onRequestLogged?: (line: string) => void;
}

export type ResolvedDevServerOptions = Required<
  Pick<
    DevServerOptions,
    | 'port'
    | 'host'
    | 'maxBodyBytes'
    | 'maxInFlightBodyBytes'
    | 'maxJsonDepth'
    | 'completionChunkDelayMs'
    | 'requestLogSize'
  >
> &
  DevServerOptions;

export function resolveDevServerOptions(options: DevServerOptions): ResolvedDevServerOptions {
  return {
    ...options,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
    maxInFlightBodyBytes: options.maxInFlightBodyBytes ?? 64 * 1024 * 1024,
    maxJsonDepth: options.maxJsonDepth ?? 64,
    completionChunkDelayMs: options.completionChunkDelayMs ?? 0,
    requestLogSize: options.requestLogSize ?? 500,
  };
}
