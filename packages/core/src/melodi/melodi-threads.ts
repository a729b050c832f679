import { ChatTrailError } from '../errors';
import type { RequestOptions } from '../http/http-options';
import type { JsonText } from '../http/json-text';
import type { Requester } from '../http/request-json';
import type { MelodiThread, MelodiThreadUpsert, MelodiThreadUpsertParams } from './melodi-models';

/** `client.threads`: Melodi's `/threads` endpoint. */
export class MelodiThreads {
  readonly #request: Requester;
  readonly #projectId: number | undefined;

  /** @internal Built by `MelodiClient`. */
  constructor(request: Requester, projectId: number | undefined) {
    this.#request = request;
    this.#projectId = projectId;
  }

  /**
   * Creates or updates a thread (`PUT /threads`). Send the whole thread every time, each message with a
   * stable `externalId`: the body is "the full thread object", so this is correct whether Melodi replaces
   * the thread or merges messages by id. `projectId` defaults to the client's.
   *
   * Rejects with {@link ChatTrailError} (before any request) when no project id is known.
   *
   * @example
   * await melodi.threads.upsert({
   *   externalId: 'thread-1',
   *   messages: [
   *     { externalId: 'msg_1', role: 'user', content: 'Hi' },
   *     { externalId: 'msg_2', role: 'assistant', type: 'json', jsonContent: { toolCalls: [] } },
   *   ],
   *   externalUser: { externalId: 'user-1', segments: { plan: 'pro' } },
   *   metadata: { model: 'gpt-4o' },
   * });
   */
  async upsert(thread: MelodiThreadUpsertParams, options?: RequestOptions): Promise<MelodiThread> {
    const projectId = thread.projectId ?? this.#projectId;
    if (projectId === undefined) {
      throw new ChatTrailError(
        'MelodiClient: threads.upsert needs a projectId. Pass { projectId } to the client or the call, or set MELODI_PROJECT_ID.',
      );
    }
    const body: MelodiThreadUpsert = { ...thread, projectId };
    return this.#request<MelodiThread>(
      { method: 'PUT', path: '/threads', body, validate: checkThread },
      options,
    );
  }

  /**
   * @internal `PUT /threads` with a body that is already JSON text (the Melodi destination's, which
   * carries its own `projectId`); same request, errors and retries as {@link upsert}.
   */
  upsertJson(body: JsonText, options?: RequestOptions): Promise<MelodiThread> {
    return this.#request<MelodiThread>(
      { method: 'PUT', path: '/threads', body, validate: checkThread },
      options,
    );
  }
}

/** A 2xx of `PUT /threads` is the thread; anything else rejects with `InvalidResponseError` (safe to resend: an upsert). */
function checkThread(body: unknown): string | undefined {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? undefined : 'no thread object';
}
