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

  /**
   * Creates a conversation (`POST /conversations`).
   *
   * @example
   * const conversation = await client.conversations.create({ user_id: 'user-1', title: 'Onboarding' });
   * conversation.id; // 'conv_…', the conversation_id for messages.create
   *
   * A 2xx without a conversation `id` rejects with `InvalidResponseError` and is not resent: the
   * conversation may exist all the same (look it up before creating another).
   */
  create(params: ConversationCreateParams, options?: RequestOptions): Promise<Conversation> {
    return this.#request<Conversation>(
      { method: 'POST', path: '/conversations', body: params, validate: checkConversation },
      options,
    );
  }

  /**
   * Lists conversations (`GET /conversations`), paged by `skip`/`limit`.
   *
   * `await` the result for one page, or `for await` over it to walk every matching conversation; the
   * following pages are fetched as the loop reaches them, with the same filters and `limit`.
   *
   * @example
   * for await (const conversation of client.conversations.list({ user_id: 'user-1', limit: 100 })) {
   *   console.log(conversation.id);
   * }
   * const page = await client.conversations.list({ limit: 20 });
   * page.data; page.total_count; page.hasNextPage();
   *
   * A 2xx without a `data` array of conversations rejects with `InvalidResponseError`.
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
