/**
 * Wire models of the Mielto API (https://api.mielto.com/api/v1). Field names are exactly the API's
 * (snake_case), taken from the OpenAPI of `POST /messages` and the conversations reference; unknown
 * fields are rejected by the server's validation, so nothing extra belongs in these shapes — put it in
 * `meta_data`.
 */
import type { ValidationErrorItem } from '../errors';
import type { JsonObject } from '../spec/turn';

/** Lifecycle state of a conversation. */
export type ConversationStatus = 'active' | 'ended' | 'archived';

/** A conversation as Mielto returns it. */
export interface Conversation {
  /** e.g. `conv_01234567890abcdef`; use it as `conversation_id` when creating messages. */
  id: string;
  title?: string | null;
  /** Auto-generated summary. */
  summary?: string | null;
  status?: ConversationStatus | (string & {});
  is_public?: boolean;
  /** Ids of associated collections. */
  collections?: string[] | null;
  meta_data?: JsonObject | null;
  settings?: JsonObject | null;
  ended_at?: string | null;
  owner_id?: string | null;
  workspace_id?: string | null;
  created_by?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
}

/** Body of `POST /conversations`. */
export interface ConversationCreateParams {
  /** The app's user id the conversation belongs to. */
  user_id?: string;
  title?: string;
  is_public?: boolean;
  /** Collection ids to associate. */
  collections?: string[];
  /** Free-form data; chattrail keeps the app's thread id here so a conversation can be found again. */
  meta_data?: JsonObject;
  settings?: JsonObject;
  /** Initial messages. */
  messages?: MessageCreateRequest[];
}

/** Query of `GET /conversations`. */
export interface ConversationListParams {
  /** Offset. */
  skip?: number;
  /** Page size, 1–1000. */
  limit?: number;
  status?: ConversationStatus;
  /** Fuzzy match on the title. */
  search?: string;
  user_id?: string;
  collection_id?: string;
}

/** Response of `GET /conversations`. */
export interface ConversationList {
  data: Conversation[];
  /** Number of conversations matching the filters, across all pages. */
  total_count: number;
}

/** Role of a message. The API accepts any string; these are the ones it documents. */
export type MieltoMessageRole = 'user' | 'assistant' | 'system' | 'tool' | (string & {});

/** One message to create (`MessageCreateRequest` in the OpenAPI). Only `content` is required. */
export interface MessageCreateRequest {
  content: string;
  /** Default `"user"`. */
  role?: MieltoMessageRole;
  /** Default `"text"`. */
  message_type?: string;
  sender_id?: string | null;
  /** When the message was sent (ISO 8601). */
  created_at?: string | null;
  tool_calls?: JsonObject[] | null;
  parent_message_id?: string | null;
  tags?: string[] | null;
  meta_data?: JsonObject | null;
  attachments?: JsonObject[] | null;
}

/** Body of `POST /messages` (`CreateMessages` in the OpenAPI). */
export interface CreateMessages {
  /** Optional in the schema, "required in practice": messages without one belong to no conversation. */
  conversation_id?: string | null;
  /** One message or several; several are created in order in one request. */
  content: MessageCreateRequest | MessageCreateRequest[];
  /** Whether Mielto extracts memories from these messages. Default false. */
  enable_memories?: boolean | null;
}

/** A stored message (`MessageRead` in the OpenAPI). */
export interface MessageRead {
  id: string;
  conversation_id: string;
  sender_id: string;
  role: MieltoMessageRole;
  content: string;
  message_type: string;
  tool_calls?: JsonObject[] | null;
  tags?: string[] | null;
  checksum?: string | null;
  attachments?: JsonObject[] | null;
  parent_message_id?: string | null;
  meta_data?: JsonObject | null;
  sent_at?: string | null;
  owner_id?: string | null;
  workspace_id: string;
  created_at?: string | null;
  updated_at?: string | null;
}

/** Body of a 422 answer (FastAPI). */
export interface HTTPValidationError {
  detail: ValidationErrorItem[];
}
