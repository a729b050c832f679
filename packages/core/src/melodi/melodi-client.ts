import { readEnv } from '../env/read-env';
import { ChatTrailError } from '../errors';
import type { HttpClientOptions } from '../http/http-options';
import { createHttpTransport } from '../http/http-transport';
import { REDACTED } from '../http/redact-secrets';
import { type Requester, requestJson } from '../http/request-json';
import { MelodiFeedback } from './melodi-feedback';
import { MelodiThreads } from './melodi-threads';

/** Melodi's production API. */
export const MELODI_DEFAULT_BASE_URL = 'https://app.melodi.fyi/api/external';

/** Options of {@link MelodiClient}; each defaults to its environment variable. */
export interface MelodiClientOptions extends HttpClientOptions {
  /** The Melodi API key, sent as the `api-key` header. Default: `MELODI_API_KEY`. */
  apiKey?: string;
  /** The project threads are written to. Default: `MELODI_PROJECT_ID`. */
  projectId?: number;
  /** Default: `MELODI_BASE_URL`, else `https://app.melodi.fyi/api/external`. */
  baseUrl?: string;
}

/**
 * A typed client for the Melodi external API, with the transport guarantees of `MieltoClient`.
 *
 * @example
 * const melodi = new MelodiClient({ apiKey: process.env.MELODI_API_KEY, projectId: 123 });
 * await melodi.threads.upsert({ externalId: 'thread-1', messages: [{ externalId: 'm1', role: 'user', content: 'Hi' }] });
 * await melodi.feedback.create({ feedbackType: 'POSITIVE', externalThreadId: 'thread-1' });
 */
export class MelodiClient {
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly projectId: number | undefined;
  readonly threads: MelodiThreads;
  readonly feedback: MelodiFeedback;

  /** @throws {ChatTrailError} without an API key, or on a malformed option or `MELODI_PROJECT_ID`. */
  constructor(options: MelodiClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv('MELODI_API_KEY');
    if (apiKey === undefined || apiKey.trim() === '') {
      throw new ChatTrailError('MelodiClient: no API key. Pass { apiKey } or set MELODI_API_KEY.');
    }
    this.projectId = options.projectId ?? parseProjectId(readEnv('MELODI_PROJECT_ID'));
    const transport = createHttpTransport({
      backend: 'Melodi',
      baseUrl: options.baseUrl ?? readEnv('MELODI_BASE_URL') ?? MELODI_DEFAULT_BASE_URL,
      authHeaders: { 'api-key': apiKey },
      secrets: [apiKey],
      options,
    });
    this.baseUrl = transport.baseUrl;
    const request: Requester = (req, opts) => requestJson(transport, req, opts);
    this.threads = new MelodiThreads(request, this.projectId);
    this.feedback = new MelodiFeedback(request, this.projectId);
  }

  /** The configuration, key redacted. */
  toJSON(): { baseUrl: string; projectId: number | undefined; apiKey: string } {
    return { baseUrl: this.baseUrl, projectId: this.projectId, apiKey: REDACTED };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `MelodiClient ${JSON.stringify(this.toJSON())}`;
  }
}

function parseProjectId(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new ChatTrailError(
      `MelodiClient: MELODI_PROJECT_ID must be an integer, got ${JSON.stringify(value)}`,
    );
  }
  return Number(value);
}
