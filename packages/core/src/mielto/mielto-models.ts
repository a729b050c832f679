// Wire models of the Mielto API. The server rejects unknown fields: extras go in `meta_data`.
import type { ValidationErrorItem } from '../errors';
import type { JsonObject } from '../spec/turn';

export type ConversationStatus = 'active' | 'ended' | 'archived';

/** A conversation as Mielto returns it. */
export interface Conversation {
  /** e.g. `conv_01234567890abcdef`, the `conversation_id` of its messages. */
  id: string;
  title?: string | null;
  summary?: string | null;
  status?: ConversationStatus | (string & {});
  is_public?: boolean;
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
  user_id?: string;
  title?: string;
  is_public?: boolean;
  collections?: string[];
  /** chattrail keeps the app's thread id here, so a conversation can be found again. */
  meta_data?: JsonObject;
  settings?: JsonObject;
  messages?: MessageCreateRequest[];
}

/** Query of `GET /conversations`. */
export interface ConversationListParams {
  skip?: number;
  /** Page size, 1–1000. */
  limit?: number;
  status?: ConversationStatus;
  /** Fuzzy match on the title. */
  search?: string;
  user_id?: string;
  collection_id?: string;
}

/** Response of `GET /conversations`; `total_count` is across all pages. */
export interface ConversationList {
  data: Conversation[];
  total_count: number;
}

/** Role of a message. The API accepts any string; these are the ones it documents. */
export type MieltoMessageRole = 'user' | 'assistant' | 'system' | 'tool' | (string & {});

/** One message to create. */
export interface MessageCreateRequest {
  content: string;
  /** Default `"user"`. */
  role?: MieltoMessageRole;
  /** Default `"text"`. */
  message_type?: string;
  sender_id?: string | null;
  created_at?: string | null;
  tool_calls?: JsonObject[] | null;
  parent_message_id?: string | null;
  tags?: string[] | null;
  meta_data?: JsonObject | null;
  attachments?: JsonObject[] | null;
}

/** Body of `POST /messages`. */
export interface CreateMessages {
  /** Optional in the schema, "required in practice": messages without one belong to no conversation. */
  conversation_id?: string | null;
  content: MessageCreateRequest | MessageCreateRequest[];
  /** Whether Mielto extracts memories from them. Default false. */
  enable_memories?: boolean | null;
}

/** A stored message. */
export interface MessageRead extends Omit<MessageCreateRequest, 'role' | 'message_type' | 'sender_id'> {
  id: string;
  conversation_id: string;
  sender_id: string;
  role: MieltoMessageRole;
  message_type: string;
  checksum?: string | null;
  sent_at?: string | null;
  owner_id?: string | null;
  workspace_id: string;
  updated_at?: string | null;
}

/** Body of a 422 answer (FastAPI). */
export interface HTTPValidationError {
  detail: ValidationErrorItem[];
}
