import * as crypto from 'node:crypto';

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

const ID_COUNTER_DIGITS = 8;
const ID_COUNTER_LIMIT = 16 ** ID_COUNTER_DIGITS;
/** 9 random hex digits (36 bits), drawn once per process and again whenever the counter wraps. */
const randomIdPrefix = () => crypto.randomBytes(5).toString('hex').slice(0, 9);
let idPrefix = '';
let idCounter = ID_COUNTER_LIMIT; // the first id draws the random part (nothing is drawn at import)

/**
 * Mielto-shaped ids: a prefix and 17 hex digits, like the quickstart's `conv_01234567890abcdef`.
 * The digits are a random part drawn once per process followed by a counter (a new random part when the
 * counter wraps), not 17 fresh random digits per id: `randomBytes` per message was the single largest
 * cost of ingest. Ids stay unique within a process and, with a 36-bit random part, across the processes
 * that share one persisted file.
 */
export function newId(prefix: string): string {
  if (idCounter === ID_COUNTER_LIMIT) {
    idPrefix = randomIdPrefix();
    idCounter = 0;
  }
  return `${prefix}_${idPrefix}${(idCounter++).toString(16).padStart(ID_COUNTER_DIGITS, '0')}`;
}

/**
 * A message's `checksum`: the SHA-256 hex digest of its content, deterministic per content. The one-shot
 * `crypto.hash` (Node >= 20.12) is about 3x cheaper than a `createHash` object per message; older Nodes
 * fall back to `createHash`, with the same result.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

export class MieltoStore {
  private readonly conversations = new Map<string, MieltoConversation>();
  private readonly messagesByConversation = new Map<string, MieltoMessage[]>();
  /**
   * Conversations in creation order per workspace, and per workspace and user: a listing (the destination's
   * lookup of a thread, once per new thread) reads its own list, never every conversation.
   */
  private readonly byOwner = new Map<string, MieltoConversation[]>();
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
    this.add(conversation);
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
    const owned = this.byOwner.get(ownerKey(query.workspaceId, query.userId || undefined)) ?? [];
    const search = query.search?.toLowerCase();
    if (!query.status && !query.collectionId && !search) {
      // Unfiltered: a page is read off the end of the list, whatever its length.
      const end = Math.max(0, owned.length - query.skip);
      const data = owned.slice(Math.max(0, end - query.limit), end).reverse();
      return { data, total_count: owned.length };
    }
    const matches: MieltoConversation[] = [];
    for (let i = owned.length - 1; i >= 0; i--) {
      const c = owned[i]!;
      if (query.status && c.status !== query.status) continue;
      if (query.collectionId && !c.collections.includes(query.collectionId)) continue;
      if (search && !(c.title ?? '').toLowerCase().includes(search)) continue;
      matches.push(c);
    }
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
        checksum: sha256Hex(content),
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
    this.byOwner.clear();
    for (const c of state.conversations) this.add(c);
    for (const m of state.messages) this.messagesByConversation.get(m.conversation_id)?.push(m);
    this.messageCount = state.messages.length;
  }

  clear(): void {
    this.load({ conversations: [], messages: [] });
  }

  private add(conversation: MieltoConversation): void {
    this.conversations.set(conversation.id, conversation);
    this.messagesByConversation.set(conversation.id, []);
    const { workspace_id: workspaceId, user_id: userId } = conversation;
    const keys = [ownerKey(workspaceId, undefined)];
    if (userId) keys.push(ownerKey(workspaceId, userId));
    for (const key of keys) {
      const owned = this.byOwner.get(key);
      if (owned === undefined) this.byOwner.set(key, [conversation]);
      else owned.push(conversation);
    }
  }
}

/** A workspace's conversations (`userId` undefined), or its user's. JSON: no separator can collide. */
function ownerKey(workspaceId: string, userId: string | undefined): string {
  return JSON.stringify(userId === undefined ? [workspaceId] : [workspaceId, userId]);
}
