import type { RequestOptions } from '../http/http-options';
import type { Requester } from '../http/request-json';
import type { CreateMessages, MessageRead } from './mielto-models';
import { checkCreatedMessages } from './mielto-response-checks';

/** `client.messages`: Mielto's `/messages` endpoint. */
export class MieltoMessages {
  readonly #request: Requester;

  /** @internal Built by `MieltoClient`. */
  constructor(request: Requester) {
    this.#request = request;
  }

  /** Creates messages in one request (`POST /messages`); resolves with the stored ones, in order. */
  async create(params: CreateMessages, options?: RequestOptions): Promise<MessageRead[]> {
    const created = await this.#request<MessageRead[] | MessageRead>(
      { method: 'POST', path: '/messages', body: params, validate: checkCreatedMessages },
      options,
    );
    // The API documents an array; a single object is accepted all the same.
    if (Array.isArray(created)) return created;
    return created === undefined || created === null ? [] : [created];
  }
}
