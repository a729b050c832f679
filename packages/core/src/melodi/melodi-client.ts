import { readEnv } from '../env/read-env';
import { ChatTrailError } from '../errors';
import type { HttpClientOptions, RequestOptions } from '../http/http-options';
import { createHttpTransport } from '../http/http-transport';
import type { JsonText } from '../http/json-text';
import { REDACTED } from '../http/redact-secrets';
import { type Requester, requestJson } from '../http/request-json';
import type {
  MelodiFeedbackCreate,
  MelodiFeedbackResult,
  MelodiThread,
  MelodiThreadUpsert,
  MelodiThreadUpsertParams,
} from './melodi-models';

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
  if (value !== undefined && !/^\d+$/.test(value)) {
    throw new ChatTrailError(
      `MelodiClient: MELODI_PROJECT_ID must be an integer, got ${JSON.stringify(value)}`,
    );
  }
  return value === undefined ? undefined : Number(value);
}

/** `client.threads`: Melodi's `/threads` endpoint. */
export class MelodiThreads {
  /** @internal Built by `MelodiClient`. */
  constructor(
    private readonly request: Requester,
    private readonly projectId: number | undefined,
  ) {}

  /** Creates or updates a thread (`PUT /threads`): send it whole, each message with a stable `externalId`. */
  async upsert(thread: MelodiThreadUpsertParams, options?: RequestOptions): Promise<MelodiThread> {
    const projectId = thread.projectId ?? this.projectId;
    if (projectId === undefined) {
      throw new ChatTrailError(
        'MelodiClient: threads.upsert needs a projectId. Pass { projectId } to the client or the call, or set MELODI_PROJECT_ID.',
      );
    }
    const body: MelodiThreadUpsert = { ...thread, projectId };
    return this.request({ method: 'PUT', path: '/threads', body, validate: checkThread }, options);
  }

  /** @internal {@link upsert} with a body that is already JSON text, `projectId` included. */
  upsertJson(body: JsonText, options?: RequestOptions): Promise<MelodiThread> {
    return this.request({ method: 'PUT', path: '/threads', body, validate: checkThread }, options);
  }
}

/** `client.feedback`: Melodi's `/feedback` endpoint. */
export class MelodiFeedback {
  /** @internal Built by `MelodiClient`. */
  constructor(
    private readonly request: Requester,
    private readonly projectId: number | undefined,
  ) {}

  /** A thumbs up or down (`POST /feedback`) on a message, or on the thread's last one. */
  create(feedback: MelodiFeedbackCreate, options?: RequestOptions): Promise<MelodiFeedbackResult> {
    const projectId = feedback.projectId ?? this.projectId;
    const body: MelodiFeedbackCreate = projectId === undefined ? feedback : { ...feedback, projectId };
    return this.request({ method: 'POST', path: '/feedback', body }, options);
  }
}

function checkThread(body: unknown): string | undefined {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? undefined : 'no thread object';
}
