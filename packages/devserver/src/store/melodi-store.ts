export interface MelodiMessage {
  externalId?: string;
  role: string;
  type: 'markdown' | 'json';
  content?: string;
  jsonContent?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface MelodiSegmentType {
  id: number;
  organizationId: number;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface MelodiSegment {
  id: number;
  organizationId: number;
  name: string;
  userSegmentTypeId: number;
  createdAt: string;
  updatedAt: string;
  type: MelodiSegmentType;
}

export interface MelodiUser {
  id: number;
  organizationId: number;
  externalId: string;
  name: string | null;
  email: string | null;
  username: string | null;
  segments: MelodiSegment[];
  createdAt: string;
  updatedAt: string;
}

export interface MelodiThreadRecord {
  id: number;
  externalId: string | null;
  organizationId: number;
  projectId: number;
  messages: MelodiMessage[];
  externalUserId: number | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface MelodiFeedback {
  id: number;
  organizationId: number;
  projectId: number;
  threadId: number;
  feedbackType: 'POSITIVE' | 'NEGATIVE';
  externalThreadId: string;
  externalMessageId: string | null;
  feedbackText: string | null;
  attributes: Record<string, string>;
  externalUserId: number | null;
  createdAt: string;
}

export interface MelodiState {
  nextId: number;
  threads: MelodiThreadRecord[];
  users: MelodiUser[];
  segmentTypes: MelodiSegmentType[];
  feedback: MelodiFeedback[];
}

export interface ExternalUserInput {
  externalId: string;
  email?: string;
  name?: string;
  username?: string;
  segments?: Record<string, string>;
}

export interface ThreadUpsertInput {
  organizationId: number;
  projectId: number;
  externalId?: string;
  messages: MelodiMessage[];
  metadata?: Record<string, unknown>;
  externalUser?: ExternalUserInput;
  /** `'replace'`: the thread's messages and metadata become exactly these (see `DevServerOptions.melodiThreadMessages`). */
  replaceMessages?: boolean;
}

/** Threads keyed by (project, externalId), users by (organization, externalId), as Melodi documents. */
export class MelodiStore {
  private nextId = 1;
  private readonly threads = new Map<number, MelodiThreadRecord>();
  private readonly threadByKey = new Map<string, number>();
  private readonly users = new Map<number, MelodiUser>();
  private readonly userByKey = new Map<string, number>();
  private readonly segmentTypes = new Map<string, MelodiSegmentType>();
  private readonly feedback: MelodiFeedback[] = [];
  /**
   * Per thread id: message externalId → index in `thread.messages`, kept up to date by `upsertThread`
   * (messages are only ever appended or replaced in place), so a PUT of a long thread costs its own
   * messages rather than a rebuild of the thread's index. Built lazily for threads loaded from disk.
   */
  private readonly messageIndexes = new Map<number, Map<string, number>>();
  messageCount = 0;

  constructor(private readonly onChange: () => void) {}

  private upsertUser(organizationId: number, input: ExternalUserInput, now: string): MelodiUser {
    const key = `${organizationId}:${input.externalId}`;
    const existingId = this.userByKey.get(key);
    let user = existingId === undefined ? undefined : this.users.get(existingId);
    if (!user) {
      user = {
        id: this.nextId++,
        organizationId,
        externalId: input.externalId,
        name: null,
        email: null,
        username: null,
        segments: [],
        createdAt: now,
        updatedAt: now,
      };
      this.users.set(user.id, user);
      this.userByKey.set(key, user.id);
    }
    if (input.name !== undefined) user.name = input.name;
    if (input.email !== undefined) user.email = input.email;
    if (input.username !== undefined) user.username = input.username;
    if (input.segments) {
      // A user has one segment per segment type: a new value for a type replaces the old one.
      for (const [typeName, value] of Object.entries(input.segments)) {
        const type = this.segmentType(organizationId, typeName, now);
        const existing = user.segments.find((s) => s.userSegmentTypeId === type.id);
        if (existing) {
          if (existing.name !== value) Object.assign(existing, { name: value, updatedAt: now });
        } else {
          user.segments.push({
            id: this.nextId++,
            organizationId,
            name: value,
            userSegmentTypeId: type.id,
            createdAt: now,
            updatedAt: now,
            type,
          });
        }
      }
    }
    user.updatedAt = now;
    return user;
  }

  private segmentType(organizationId: number, name: string, now: string): MelodiSegmentType {
    const key = `${organizationId}:${name}`;
    let type = this.segmentTypes.get(key);
    if (!type) {
      type = { id: this.nextId++, organizationId, name, createdAt: now, updatedAt: now };
      this.segmentTypes.set(key, type);
    }
    return type;
  }

  /**
   * Creates or updates a thread. Incoming messages are merged by `externalId` in order: a known id is
   * updated in place, an unknown one (or one without an id) is appended. Sending the same full thread
   * again therefore changes nothing, and sending it with new messages appends just those. Metadata keys
   * are merged the same way. With `replaceMessages`, the messages and the metadata are the body's alone.
   */
  upsertThread(input: ThreadUpsertInput): { thread: MelodiThreadRecord; created: boolean } {
    const now = new Date().toISOString();
    const key = input.externalId === undefined ? undefined : `${input.projectId}:${input.externalId}`;
    const existingId = key === undefined ? undefined : this.threadByKey.get(key);
    let thread = existingId === undefined ? undefined : this.threads.get(existingId);
    const created = !thread;
    if (!thread) {
      thread = {
        id: this.nextId++,
        externalId: input.externalId ?? null,
        organizationId: input.organizationId,
        projectId: input.projectId,
        messages: [],
        externalUserId: null,
        metadata: {},
        createdAt: now,
        updatedAt: now,
      };
      this.threads.set(thread.id, thread);
      if (key !== undefined) this.threadByKey.set(key, thread.id);
    }
    if (input.replaceMessages === true && thread.messages.length > 0) {
      this.messageCount -= thread.messages.length;
      thread.messages = [];
      this.messageIndexes.delete(thread.id);
    }
    const indexById = this.messageIndex(thread);
    for (const message of input.messages) {
      const at = message.externalId === undefined ? undefined : indexById.get(message.externalId);
      if (at === undefined) {
        if (message.externalId !== undefined) indexById.set(message.externalId, thread.messages.length);
        thread.messages.push(message);
        this.messageCount++;
      } else {
        thread.messages[at] = message;
      }
    }
    // Replace reads the body as "the full thread object" (the seed's words): its metadata too.
    if (input.replaceMessages === true) thread.metadata = { ...input.metadata };
    else if (input.metadata) thread.metadata = { ...thread.metadata, ...input.metadata };
    if (input.externalUser)
      thread.externalUserId = this.upsertUser(input.organizationId, input.externalUser, now).id;
    thread.updatedAt = now;
    this.onChange();
    return { thread, created };
  }

  private messageIndex(thread: MelodiThreadRecord): Map<string, number> {
    let index = this.messageIndexes.get(thread.id);
    if (index === undefined) {
      index = new Map();
      const { messages } = thread;
      for (let i = 0; i < messages.length; i++) {
        const id = messages[i].externalId;
        if (id !== undefined) index.set(id, i);
      }
      this.messageIndexes.set(thread.id, index);
    }
    return index;
  }

  findThread(
    organizationId: number,
    projectId: number | undefined,
    externalId: string,
  ): MelodiThreadRecord | undefined {
    for (const thread of this.threads.values()) {
      if (thread.organizationId !== organizationId || thread.externalId !== externalId) continue;
      if (projectId === undefined || thread.projectId === projectId) return thread;
    }
    return undefined;
  }

  addFeedback(
    thread: MelodiThreadRecord,
    input: Omit<
      MelodiFeedback,
      'id' | 'organizationId' | 'projectId' | 'threadId' | 'createdAt' | 'externalUserId'
    > & {
      externalUser?: ExternalUserInput;
    },
  ): MelodiFeedback {
    const now = new Date().toISOString();
    const { externalUser, ...rest } = input;
    const feedback: MelodiFeedback = {
      ...rest,
      id: this.nextId++,
      organizationId: thread.organizationId,
      projectId: thread.projectId,
      threadId: thread.id,
      externalUserId: externalUser
        ? this.upsertUser(thread.organizationId, externalUser, now).id
        : thread.externalUserId,
      createdAt: now,
    };
    this.feedback.push(feedback);
    this.onChange();
    return feedback;
  }

  user(id: number | null): MelodiUser | null {
    return id === null ? null : (this.users.get(id) ?? null);
  }

  allThreads(): MelodiThreadRecord[] {
    return [...this.threads.values()];
  }

  allFeedback(): MelodiFeedback[] {
    return this.feedback;
  }

  toJSON(): MelodiState {
    return {
      nextId: this.nextId,
      threads: this.allThreads(),
      users: [...this.users.values()],
      segmentTypes: [...this.segmentTypes.values()],
      feedback: this.feedback,
    };
  }

  load(state: MelodiState): void {
    this.clear();
    this.nextId = state.nextId;
    for (const t of state.threads) {
      this.threads.set(t.id, t);
      if (t.externalId !== null) this.threadByKey.set(`${t.projectId}:${t.externalId}`, t.id);
      this.messageCount += t.messages.length;
    }
    for (const u of state.users) {
      this.users.set(u.id, u);
      this.userByKey.set(`${u.organizationId}:${u.externalId}`, u.id);
    }
    for (const s of state.segmentTypes) this.segmentTypes.set(`${s.organizationId}:${s.name}`, s);
    this.feedback.push(...state.feedback);
  }

  clear(): void {
    this.nextId = 1;
    this.threads.clear();
    this.threadByKey.clear();
    this.messageIndexes.clear();
    this.users.clear();
    this.userByKey.clear();
    this.segmentTypes.clear();
    this.feedback.length = 0;
    this.messageCount = 0;
  }
}
