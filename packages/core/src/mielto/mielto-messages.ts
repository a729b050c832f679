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

  /**
   * Creates one or several messages in a conversation (`POST /messages`) and resolves with the stored
   * messages, in order. Several messages in one call cost one request.
   *
   * @example
   * await client.messages.create({
   *   conversation_id: 'conv_…',
   *   content: [
   *     { role: 'user', content: 'Hello', sender_id: 'user-1' },
   *     { role: 'assistant', content: 'Hi!', sender_id: 'my-agent' },
   *   ],
   *   enable_memories: false,
   * });
   */
  async create(params: CreateMessages, options?: RequestOptions): Promise<MessageRead[]> {
    const created = await this.#request<MessageRead[] | MessageRead>(
      { method: 'POST', path: '/messages', body: params, validate: checkCreatedMessages },
      options,
    );
    // The API documents an array for both shapes of `content`; accept a single object all the same.
    if (Array.isArray(created)) return created;
    return created === undefined || created === null ? [] : [created];
  }
}
