import { createHash, randomBytes } from 'node:crypto';

export interface MieltoConversation {
  id: string;
  title: string | null;
  summary: string | null;
  status: 'active' | 'ended' | 'archived';
  is_public: boolean;
  collections: string[];
  meta_data: Record<string, unknown>;
  settings: Record<string, unknown>;
  ended_at: string | null;
  owner_id: string;
  workspace_id: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** Not in the list response of the docs, but the conversation is created for a user and listed by it. */
  user_id: string | null;
}

export interface MieltoMessage {
  id: string;
  conversation_id: string;
  sender_id: string;
  role: string;
  content: string;
  message_type: string;
  tool_calls: Record<string, unknown>[] | null;
  tags: string[] | null;
  checksum: string | null;
  attachments: Record<string, unknown>[] | null;
  parent_message_id: string | null;
  meta_data: Record<string, unknown> | null;
  sent_at: string | null;
  owner_id: string | null;
  workspace_id: string;
  created_at: string;
  updated_at: string;
}

export interface MieltoState {
  conversations: MieltoConversation[];
  messages: MieltoMessage[];
}

export interface ListConversationsQuery {
  workspaceId: string;
  skip: number;
  limit: number;
  status?: string;
  search?: string;
  userId?: string;
  collectionId?: string;
}

/** Mielto-shaped ids: a prefix and 17 hex digits, like the quickstart's `conv_01234567890abcdef`. */
export const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString('hex').slice(0, 17)}`;

export class MieltoStore {
  private readonly conversations = new Map<string, MieltoConversation>();
  private readonly messagesByConversation = new Map<string, MieltoMessage[]>();
  messageCount = 0;

  constructor(private readonly onChange: () => void) {}

  createConversation(
    input: Omit<Partial<MieltoConversation>, 'id'> & { workspace_id: string; owner_id: string },
  ): MieltoConversation {
    const now = new Date().toISOString();
    const conversation: MieltoConversation = {
      id: newId('conv'),
      title: input.title ?? null,
      summary: null,
      status: 'active',
      is_public: input.is_public ?? false,
      collections: input.collections ?? [],
      meta_data: input.meta_data ?? {},
      settings: input.settings ?? {},
      ended_at: null,
      owner_id: input.owner_id,
      workspace_id: input.workspace_id,
      created_by: input.owner_id,
      created_at: now,
      updated_at: now,
      user_id: input.user_id ?? null,
    };
    this.conversations.set(conversation.id, conversation);
    this.messagesByConversation.set(conversation.id, []);
    this.onChange();
    return conversation;
  }

  getConversation(id: string, workspaceId?: string): MieltoConversation | undefined {
    const conversation = this.conversations.get(id);
    if (!conversation || (workspaceId !== undefined && conversation.workspace_id !== workspaceId))
      return undefined;
    return conversation;
  }

  /** Newest first, like the service's listing; ties keep creation order so pages never overlap. */
  listConversations(query: ListConversationsQuery): { data: MieltoConversation[]; total_count: number } {
    const search = query.search?.toLowerCase();
    const matches: MieltoConversation[] = [];
    for (const c of this.conversations.values()) {
      if (c.workspace_id !== query.workspaceId) continue;
      if (query.status && c.status !== query.status) continue;
      if (query.userId && c.user_id !== query.userId) continue;
      if (query.collectionId && !c.collections.includes(query.collectionId)) continue;
      if (search && !(c.title ?? '').toLowerCase().includes(search)) continue;
      matches.push(c);
    }
    matches.reverse();
    return { data: matches.slice(query.skip, query.skip + query.limit), total_count: matches.length };
  }

  appendMessages(
    conversation: MieltoConversation,
    inputs: Record<string, unknown>[],
    defaults: { senderId: string; ownerId: string },
  ): MieltoMessage[] {
    const now = new Date().toISOString();
    const list = this.messagesByConversation.get(conversation.id)!;
    const created: MieltoMessage[] = [];
    for (const input of inputs) {
      const content = input.content as string;
      const message: MieltoMessage = {
        id: newId('msg'),
        conversation_id: conversation.id,
        // Without a sender the message belongs to the conversation's user when the user wrote it, and
        // to the key's owner otherwise (assistant, tool and system messages are not the user's words).
        sender_id:
          (input.sender_id as string | null | undefined) ??
          ((input.role ?? 'user') === 'user' ? defaults.senderId : defaults.ownerId),
        role: (input.role as string | undefined) ?? 'user',
        content,
        message_type: (input.message_type as string | undefined) ?? 'text',
        tool_calls: (input.tool_calls as MieltoMessage['tool_calls']) ?? null,
        tags: (input.tags as string[] | null | undefined) ?? null,
        checksum: createHash('sha256').update(content).digest('hex'),
        attachments: (input.attachments as MieltoMessage['attachments']) ?? null,
        parent_message_id: (input.parent_message_id as string | null | undefined) ?? null,
        meta_data: (input.meta_data as Record<string, unknown> | null | undefined) ?? null,
        sent_at: (input.created_at as string | null | undefined) ?? now,
        owner_id: defaults.ownerId,
        workspace_id: conversation.workspace_id,
        created_at: now,
        updated_at: now,
      };
      list.push(message);
      created.push(message);
    }
    this.messageCount += created.length;
    conversation.updated_at = now;
    this.onChange();
    return created;
  }

  messagesOf(conversationId: string): MieltoMessage[] {
    return this.messagesByConversation.get(conversationId) ?? [];
  }

  allConversations(): MieltoConversation[] {
    return [...this.conversations.values()];
  }

  toJSON(): MieltoState {
    return {
      conversations: this.allConversations(),
      messages: [...this.messagesByConversation.values()].flat(),
    };
  }

  load(state: MieltoState): void {
    this.conversations.clear();
    this.messagesByConversation.clear();
    for (const c of state.conversations) {
      this.conversations.set(c.id, c);
      this.messagesByConversation.set(c.id, []);
    }
    for (const m of state.messages) this.messagesByConversation.get(m.conversation_id)?.push(m);
    this.messageCount = state.messages.length;
  }

  clear(): void {
    this.load({ conversations: [], messages: [] });
  }
}
