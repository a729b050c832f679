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
   * Creates or updates a thread (`PUT /threads`). Send the whole thread, each message with a stable
   * `externalId`: correct whether Melodi replaces the thread or merges messages by id.
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

  /** @internal {@link upsert} with a body that is already JSON text, `projectId` included. */
  upsertJson(body: JsonText, options?: RequestOptions): Promise<MelodiThread> {
    return this.#request<MelodiThread>(
      { method: 'PUT', path: '/threads', body, validate: checkThread },
      options,
    );
  }
}

function checkThread(body: unknown): string | undefined {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? undefined : 'no thread object';
}
