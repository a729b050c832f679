import type { ModelSpec } from './validate-model.js';

/** `MessageCreateRequest` from the seed OpenAPI (POST /api/v1/messages). */
export const MESSAGE_CREATE_REQUEST: ModelSpec = {
  sender_id: { kind: 'string', nullable: true },
  created_at: { kind: 'datetime', nullable: true },
  content: { kind: 'string', required: true },
  role: { kind: 'string' },
  message_type: { kind: 'string' },
  tool_calls: { kind: 'object[]', nullable: true },
  parent_message_id: { kind: 'string', nullable: true },
  tags: { kind: 'string[]', nullable: true },
  meta_data: { kind: 'object', nullable: true },
  attachments: { kind: 'object[]', nullable: true },
};

/** `CreateMessages`; `content` (one model or a list of them) is checked separately. */
export const CREATE_MESSAGES: ModelSpec = {
  conversation_id: { kind: 'string', nullable: true },
  content: { kind: 'any', required: true },
  enable_memories: { kind: 'boolean', nullable: true },
};

/** POST /api/v1/conversations body (quickstart + Mielto docs). */
export const CONVERSATION_CREATE: ModelSpec = {
  user_id: { kind: 'string', nullable: true },
  title: { kind: 'string', nullable: true },
  is_public: { kind: 'boolean', nullable: true },
  collections: { kind: 'string[]', nullable: true },
  meta_data: { kind: 'object', nullable: true },
  settings: { kind: 'object', nullable: true },
  messages: { kind: 'object[]', nullable: true },
};

/** OpenAI Chat Completions body: only the fields the scripted model reads are checked. */
export const CHAT_COMPLETION_REQUIRED = ['model', 'messages'] as const;
