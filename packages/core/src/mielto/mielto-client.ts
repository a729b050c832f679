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
 *
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
   * Settings for Mielto's OpenAI-compatible endpoint; `userId` (sent as `x-user-id`) gets your user's memories.
   *
   * @example
   * const openai = new OpenAI(mielto.openAICompatibleConfig({ userId: 'user-1' }));
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
