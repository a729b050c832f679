import { readEnv } from '../env/read-env';
import { ChatTrailError } from '../errors';
import type { HttpClientOptions, RequestOptions } from '../http/http-options';
import { createHttpTransport } from '../http/http-transport';
import { REDACTED } from '../http/redact-secrets';
import { type Requester, requestJson } from '../http/request-json';
import { optionChecker } from '../options/option-checker';
import type {
  Conversation,
  ConversationCreateParams,
  ConversationList,
  ConversationListParams,
  CreateMessages,
  MessageRead,
} from './mielto-models';

/** Mielto's production API. */
export const MIELTO_DEFAULT_BASE_URL = 'https://api.mielto.com/api/v1';

const AUTH_STYLES = ['bearer', 'x-api-key'] as const;

/** Options of {@link MieltoClient}; each defaults to its environment variable. */
export interface MieltoClientOptions extends HttpClientOptions {
  /** The Mielto API key. Default: `MIELTO_API_KEY`. */
  apiKey?: string;
  /** Default: `MIELTO_BASE_URL`, else `https://api.mielto.com/api/v1`. */
  baseUrl?: string;
  /** `X-Workspace-Id`, for keys with access to several workspaces. Default: `MIELTO_WORKSPACE_ID`. */
  workspaceId?: string;
  /** `Authorization: Bearer <key>` (default), or `x-api-key` for proxies that rewrite `Authorization`. */
  authStyle?: 'bearer' | 'x-api-key';
}

/** Settings for Mielto's chat completions, for `new OpenAI(config)` or `createOpenAICompatible(config)`. */
export interface MieltoOpenAICompatibleConfig {
  name: 'mielto';
  baseURL: string;
  apiKey: string;
  /** `x-user-id` (and `X-Workspace-Id`), for the AI SDK provider. */
  headers: Record<string, string>;
  /** The same, for the OpenAI SDK. */
  defaultHeaders: Record<string, string>;
}

/**
 * A typed client for the Mielto API: per-attempt timeouts, retries with backoff on transient failures
 * (honouring `Retry-After`), and an `APIError` subclass per status.
 * @example
 * const mielto = new MieltoClient({ apiKey: process.env.MIELTO_API_KEY });
 * const conversation = await mielto.conversations.create({ user_id: 'user-1', title: 'Support' });
 * await mielto.messages.create({ conversation_id: conversation.id, content: { role: 'user', content: 'Hi' } });
 */
export class MieltoClient {
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly workspaceId: string | undefined;
  readonly conversations: MieltoConversations;
  readonly messages: MieltoMessages;
  // Private, so it stays out of JSON.stringify, util.inspect and spreads.
  readonly #apiKey: string;

  /** @throws {ChatTrailError} without an API key, or on a malformed option. */
  constructor(options: MieltoClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv('MIELTO_API_KEY');
    if (apiKey === undefined || apiKey.trim() === '') {
      throw new ChatTrailError('MieltoClient: no API key. Pass { apiKey } or set MIELTO_API_KEY.');
    }
    this.#apiKey = apiKey;
    this.workspaceId = options.workspaceId ?? readEnv('MIELTO_WORKSPACE_ID');
    const check = optionChecker('MieltoClient');
    const authStyle = check.oneOf('authStyle', options.authStyle, AUTH_STYLES, 'bearer');
    const authHeaders: Record<string, string> =
      authStyle === 'x-api-key' ? { 'x-api-key': apiKey } : { authorization: `Bearer ${apiKey}` };
    if (this.workspaceId !== undefined) authHeaders['x-workspace-id'] = this.workspaceId;
    const transport = createHttpTransport({
      backend: 'Mielto',
      baseUrl: options.baseUrl ?? readEnv('MIELTO_BASE_URL') ?? MIELTO_DEFAULT_BASE_URL,
      authHeaders,
      secrets: [apiKey],
      options,
    });
    this.baseUrl = transport.baseUrl;
    const request: Requester = (req, opts) => requestJson(transport, req, opts);
    this.conversations = new MieltoConversations(request);
    this.messages = new MieltoMessages(request);
  }

  /**
   * Settings for Mielto's OpenAI-compatible endpoint; `userId` (sent as `x-user-id`) gets your user's memories.
   * @example const openai = new OpenAI(mielto.openAICompatibleConfig({ userId: 'user-1' }));
   */
  openAICompatibleConfig(
    options: { userId?: string; headers?: Record<string, string> } = {},
  ): MieltoOpenAICompatibleConfig {
    const headers: Record<string, string> = {};
    if (options.userId !== undefined) headers['x-user-id'] = options.userId;
    if (this.workspaceId !== undefined) headers['X-Workspace-Id'] = this.workspaceId;
    Object.assign(headers, options.headers);
    return {
      name: 'mielto',
      baseURL: this.baseUrl,
      apiKey: this.#apiKey,
      headers,
      defaultHeaders: { ...headers },
    };
  }

  /** The configuration, key redacted. */
  toJSON(): { baseUrl: string; workspaceId: string | undefined; apiKey: string } {
    return { baseUrl: this.baseUrl, workspaceId: this.workspaceId, apiKey: REDACTED };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `MieltoClient ${JSON.stringify(this.toJSON())}`;
  }
}

/** `client.conversations`: Mielto's `/conversations` endpoints. */
export class MieltoConversations {
  /** @internal Built by `MieltoClient`. */
  constructor(private readonly request: Requester) {}

  /** `POST /conversations`. A 2xx without an `id` rejects with `InvalidResponseError` and is not resent. */
  create(params: ConversationCreateParams, options?: RequestOptions): Promise<Conversation> {
    const validate = (body: unknown) => (hasId(body) ? undefined : 'no conversation id');
    return this.request({ method: 'POST', path: '/conversations', body: params, validate }, options);
  }

  /**
   * `GET /conversations`: `await` it for one page, or `for await` over it for every conversation.
   * @example for await (const c of client.conversations.list({ user_id: 'user-1' })) console.log(c.id);
   */
  list(params: ConversationListParams = {}, options?: RequestOptions): MieltoPagePromise<Conversation> {
    const load = async (skip: number): Promise<MieltoPage<Conversation>> => {
      const query = { ...params, skip };
      const body = await this.request<ConversationList>(
        { method: 'GET', path: '/conversations', query, validate: checkConversationList },
        options,
      );
      return new MieltoPage(body, skip, load);
    };
    return new MieltoPagePromise(() => load(params.skip ?? 0));
  }
}

/** `client.messages`: Mielto's `/messages` endpoint. */
export class MieltoMessages {
  /** @internal Built by `MieltoClient`. */
  constructor(private readonly request: Requester) {}

  /** Creates messages in one request (`POST /messages`); resolves with the stored ones, in order. */
  async create(params: CreateMessages, options?: RequestOptions): Promise<MessageRead[]> {
    const validate = (body: unknown) => (Array.isArray(body) || isObject(body) ? undefined : 'no messages');
    const created = await this.request<MessageRead[] | MessageRead>(
      { method: 'POST', path: '/messages', body: params, validate },
      options,
    );
    // The API documents an array; a single object is accepted all the same.
    if (Array.isArray(created)) return created;
    return created === undefined || created === null ? [] : [created];
  }
}

type MieltoPageLoader<T> = (skip: number) => Promise<MieltoPage<T>>;

/** A page of a list; `for await` yields its items and the next pages' (changes may repeat or skip one). */
export class MieltoPage<T> implements AsyncIterable<T> {
  readonly data: T[];
  /** Items matching the filters across all pages, as of this page's request. */
  readonly total_count: number;
  readonly skip: number;
  readonly #loadPage: MieltoPageLoader<T>;

  constructor(body: { data: T[]; total_count: number }, skip: number, loadPage: MieltoPageLoader<T>) {
    this.data = Array.isArray(body.data) ? body.data : [];
    this.total_count = typeof body.total_count === 'number' ? body.total_count : this.data.length;
    this.skip = skip;
    this.#loadPage = loadPage;
  }

  /** An empty page is always the last, whatever `total_count` claims. */
  hasNextPage(): boolean {
    return this.data.length > 0 && this.skip + this.data.length < this.total_count;
  }

  /** Rejects with {@link ChatTrailError} when there is no next page. */
  getNextPage(): Promise<MieltoPage<T>> {
    if (!this.hasNextPage()) return Promise.reject(new ChatTrailError('There is no next page'));
    return this.#loadPage(this.skip + this.data.length);
  }

  async *iterPages(): AsyncGenerator<MieltoPage<T>> {
    let page: MieltoPage<T> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.iterPages()) yield* page.data;
  }
}

/** `await` it for the first page, or `for await` over every item; requests nothing until used. */
export class MieltoPagePromise<T> implements PromiseLike<MieltoPage<T>>, AsyncIterable<T> {
  readonly #firstPage: () => Promise<MieltoPage<T>>;

  constructor(loadFirst: () => Promise<MieltoPage<T>>) {
    let first: Promise<MieltoPage<T>> | undefined;
    this.#firstPage = () => (first ??= loadFirst());
  }

  // biome-ignore lint/suspicious/noThenProperty: deliberately thenable so `await client.conversations.list()` yields the page.
  then<R1 = MieltoPage<T>, R2 = never>(
    onFulfilled?: ((page: MieltoPage<T>) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<MieltoPage<T> | R> {
    return this.#firstPage().catch(onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    yield* await this.#firstPage();
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasId(value: unknown): boolean {
  return isObject(value) && typeof value.id === 'string' && value.id !== '';
}

/** A page without `data` is not an empty page. */
function checkConversationList(body: unknown): string | undefined {
  if (!isObject(body) || !Array.isArray(body.data)) return 'no data array';
  return body.data.every(hasId) ? undefined : 'a conversation without an id';
}
