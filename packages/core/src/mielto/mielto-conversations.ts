import type { RequestOptions } from '../http/http-options';
import type { Requester } from '../http/request-json';
import type {
  Conversation,
  ConversationCreateParams,
  ConversationList,
  ConversationListParams,
} from './mielto-models';
import { MieltoPage, MieltoPagePromise } from './mielto-page';
import { checkConversation, checkConversationList } from './mielto-response-checks';

/** `client.conversations`: Mielto's `/conversations` endpoints. */
export class MieltoConversations {
  readonly #request: Requester;

  /** @internal Built by `MieltoClient`. */
  constructor(request: Requester) {
    this.#request = request;
  }

  /** `POST /conversations`. A 2xx without an `id` rejects with `InvalidResponseError` and is not resent. */
  create(params: ConversationCreateParams, options?: RequestOptions): Promise<Conversation> {
    return this.#request<Conversation>(
      { method: 'POST', path: '/conversations', body: params, validate: checkConversation },
      options,
    );
  }

  /**
   * `GET /conversations`: `await` it for one page, or `for await` over it for every conversation.
   *
   * @example
   * for await (const c of client.conversations.list({ user_id: 'user-1' })) console.log(c.id);
   */
  list(params: ConversationListParams = {}, options?: RequestOptions): MieltoPagePromise<Conversation> {
    const load = async (skip: number): Promise<MieltoPage<Conversation>> => {
      const query = { ...params, skip };
      const body = await this.#request<ConversationList>(
        { method: 'GET', path: '/conversations', query, validate: checkConversationList },
        options,
      );
      return new MieltoPage(body, skip, load);
    };
    return new MieltoPagePromise(() => load(params.skip ?? 0));
  }
}
