import { readEnv } from '../env/read-env';
import { ChatTrailError } from '../errors';
import type { HttpClientOptions } from '../http/http-options';
import { createHttpTransport, type HttpTransport } from '../http/http-transport';
import { REDACTED } from '../http/redact-secrets';
import { type Requester, requestJson } from '../http/request-json';
import { optionChecker } from '../options/option-checker';
import { MieltoConversations } from './mielto-conversations';
import { MieltoMessages } from './mielto-messages';

/** Mielto's production API. */
export const MIELTO_DEFAULT_BASE_URL = 'https://api.mielto.com/api/v1';

/** Options of {@link MieltoClient}. Every option is optional when the matching variable is set. */
export interface MieltoClientOptions extends HttpClientOptions {
  /** The Mielto API key. Default: `MIELTO_API_KEY`. */
  apiKey?: string;
  /** Default: `MIELTO_BASE_URL`, else `https://api.mielto.com/api/v1`. */
  baseUrl?: string;
  /**
   * Sent as `X-Workspace-Id`. Mielto derives the workspace from the key; this is only needed for keys
   * with access to several workspaces. Default: `MIELTO_WORKSPACE_ID`.
   */
  workspaceId?: string;
  /**
   * How the key is sent: `Authorization: Bearer <key>` (default) or `x-api-key: <key>`. Mielto accepts
   * both; the header form helps behind proxies that strip or rewrite `Authorization`.
   */
  authStyle?: 'bearer' | 'x-api-key';
}

/**
 * Settings for calling Mielto's OpenAI-compatible `POST /chat/completions` with an OpenAI SDK, shaped so
 * the object can be passed as is:
 * - `new OpenAI(config)` reads `baseURL`, `apiKey`, `defaultHeaders`;
 * - `createOpenAICompatible(config)` (`@ai-sdk/openai-compatible`) reads `name`, `baseURL`, `apiKey`, `headers`.
 */
export interface MieltoOpenAICompatibleConfig {
  name: 'mielto';
  baseURL: string;
  apiKey: string;
  /** `x-user-id` (and `X-Workspace-Id` when configured), for the AI SDK provider. */
  headers: Record<string, string>;
  /** The same headers, under the name the OpenAI SDK uses. */
  defaultHeaders: Record<string, string>;
}

/**
 * A typed client for the Mielto API, usable on its own.
 *
 * Requests time out per attempt (`timeoutMs`, default 10 s) and are retried with exponential backoff and
 * jitter on 408/425/429/5xx and network errors (`maxRetries`, default 2), honouring `Retry-After`.
 * Failures reject with the `APIError` subclass for the status (`AuthenticationError`,
 * `UnprocessableEntityError` with the parsed `detail`, ...). Uses the global `fetch`, so it runs on Node,
 * Edge runtimes, Deno and Bun.
 *
 * @example
 * const mielto = new MieltoClient({ apiKey: process.env.MIELTO_API_KEY });
 * const conversation = await mielto.conversations.create({ user_id: 'user-1', title: 'Support' });
 * await mielto.messages.create({ conversation_id: conversation.id, content: { role: 'user', content: 'Hi' } });
 * for await (const c of mielto.conversations.list({ user_id: 'user-1' })) console.log(c.id);
 */
export class MieltoClient {
  /** Base URL without a trailing slash. */
  readonly baseUrl: string;
  readonly workspaceId: string | undefined;
  /** `POST /conversations`, `GET /conversations`. */
  readonly conversations: MieltoConversations;
  /** `POST /messages`. */
  readonly messages: MieltoMessages;
  // A private field, not a property: it stays out of JSON.stringify, util.inspect and object spreads.
  readonly #apiKey: string;

  /** @throws {ChatTrailError} when no API key is given or found in `MIELTO_API_KEY`, or an option is malformed. */
  constructor(options: MieltoClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv('MIELTO_API_KEY');
    if (apiKey === undefined || apiKey.trim() === '') {
      throw new ChatTrailError('MieltoClient: no API key. Pass { apiKey } or set MIELTO_API_KEY.');
    }
    this.#apiKey = apiKey;
    this.workspaceId = options.workspaceId ?? readEnv('MIELTO_WORKSPACE_ID');
    const authStyle = optionChecker('MieltoClient').oneOf(
      'authStyle',
      options.authStyle,
      ['bearer', 'x-api-key'],
      'bearer',
    );
    const authHeaders: Record<string, string> =
      authStyle === 'x-api-key' ? { 'x-api-key': apiKey } : { authorization: `Bearer ${apiKey}` };
    if (this.workspaceId !== undefined) authHeaders['x-workspace-id'] = this.workspaceId;
    const transport: HttpTransport = createHttpTransport({
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
   * Settings for Mielto's OpenAI-compatible chat completions endpoint. `userId` is sent as `x-user-id`,
   * which is how Mielto attaches memories and context to your user.
   *
   * @example
   * import OpenAI from 'openai';
   * const openai = new OpenAI(mielto.openAICompatibleConfig({ userId: 'user-1' }));
   *
   * import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
   * const provider = createOpenAICompatible(mielto.openAICompatibleConfig({ userId: 'user-1' }));
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

  /** What `JSON.stringify(client)` shows: the configuration, with the key redacted. */
  toJSON(): { baseUrl: string; workspaceId: string | undefined; apiKey: string } {
    return { baseUrl: this.baseUrl, workspaceId: this.workspaceId, apiKey: REDACTED };
  }

  /** What Node's `console.log(client)` shows. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `MieltoClient ${JSON.stringify(this.toJSON())}`;
  }
}
