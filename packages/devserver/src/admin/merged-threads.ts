import type { ViewerTurn } from './thread-turns.js';
import { type ViewerTurnStatus, worseStatus } from './turn-facts.js';
import type { ViewerThread } from './viewer-threads.js';

/** One app thread with what each backend holds of it: the viewer's list entry. */
export interface MergedThread {
  /**
   * `thread:<app thread id>` for a thread the backends name (Mielto `meta_data.thread_id`, Melodi
   * `externalId`); `mielto:<conversation id>` / `melodi:<thread id>` for a copy without one, or a second
   * copy of a thread one backend holds twice.
   */
  key: string;
  threadId: string | null;
  title: string;
  user: ViewerThread['user'];
  createdAt: string;
  updatedAt: string;
  /** The thread's turns: Mielto's when it holds turn ids (it does for chattrail), else Melodi's. */
  turns: ViewerTurn[];
  status: ViewerTurnStatus;
  error: { name: string | null; message: string } | null;
  mielto: ViewerThread | null;
  melodi: ViewerThread | null;
  /** Another copy in the same backend already has this thread id (a duplicate conversation, another project). */
  duplicate: boolean;
}

const TITLE_CHARS = 80;

function firstUserText(thread: ViewerThread | null): string | null {
  const text = thread?.messages.find((m) => m.role === 'user' && typeof m.content === 'string')?.content;
  if (!text?.trim()) return null;
  const line = text.trim().replace(/\s+/g, ' ');
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line;
}

/**
 * Pairs each Mielto conversation with the Melodi thread of the same app thread id (both written by
 * chattrail from `Turn.threadId`), newest first. `threads`: from `viewerThreads`, newest first.
 */
export function mergedThreads(threads: readonly ViewerThread[]): MergedThread[] {
  const groups: {
    key: string;
    threadId: string | null;
    mielto?: ViewerThread;
    melodi?: ViewerThread;
    duplicate: boolean;
  }[] = [];
  const byThreadId = new Map<string, (typeof groups)[number]>();
  for (const thread of threads) {
    const shared = thread.externalId === null ? undefined : byThreadId.get(thread.externalId);
    if (shared !== undefined && shared[thread.backend] === undefined) {
      shared[thread.backend] = thread;
      continue;
    }
    const group = {
      key:
        thread.externalId === null || shared !== undefined
          ? `${thread.backend}:${thread.id}`
          : `thread:${thread.externalId}`,
      threadId: thread.externalId,
      [thread.backend]: thread,
      duplicate: shared !== undefined,
    };
    groups.push(group);
    if (thread.externalId !== null && shared === undefined) byThreadId.set(thread.externalId, group);
  }
  return groups.map(({ key, threadId, mielto = null, melodi = null, duplicate }) => {
    const copies = [mielto, melodi].filter((t): t is ViewerThread => t !== null);
    const turns = entryTurns(mielto, melodi);
    let status: ViewerTurnStatus | null = null;
    let error: MergedThread['error'] = null;
    for (const turn of turns) {
      status = worseStatus(status, turn.facts?.status ?? null);
      if (turn.facts?.error) error = turn.facts.error;
    }
    for (const copy of copies) {
      status = worseStatus(status, copy.status);
      error ??= copy.error;
    }
    return {
      key,
      threadId,
      title:
        (mielto && mielto.title !== mielto.id ? mielto.title : null) ??
        firstUserText(mielto) ??
        firstUserText(melodi) ??
        threadId ??
        copies[0]!.title,
      user: melodi?.user ?? mielto?.user ?? null,
      createdAt: copies.map((c) => c.createdAt).sort()[0]!,
      updatedAt: copies
        .map((c) => c.updatedAt)
        .sort()
        .at(-1)!,
      turns,
      status: status ?? 'ok',
      error,
      mielto,
      melodi,
      duplicate,
    };
  });
}

/**
 * Mielto's turns when it counts them by turn id, with its last turn's status, error and latency taken from
 * Melodi's thread metadata when Mielto has none for it (a turn that failed before answering leaves no message to carry
 * them) and both copies end with the same message, so the metadata is about that turn.
 */
function entryTurns(mielto: ViewerThread | null, melodi: ViewerThread | null): ViewerTurn[] {
  if (mielto === null || mielto.turnsCountedBy !== 'turn-ids') return (melodi ?? mielto)?.turns ?? [];
  const turns = mielto.turns.map((turn) => ({ ...turn }));
  const last = turns[turns.length - 1];
  const latest = melodi?.turns[melodi.turns.length - 1]?.facts;
  const sameEnd =
    melodi !== null &&
    mielto.messages.length > 0 &&
    mielto.messages[mielto.messages.length - 1]!.chattrailId !== null &&
    mielto.messages[mielto.messages.length - 1]!.chattrailId ===
      melodi.messages[melodi.messages.length - 1]?.chattrailId;
  if (last !== undefined && last.facts === null && latest?.from === 'thread' && sameEnd) {
    // Only what chattrail rewrites on every turn: a turn without usage or a first token leaves the previous
    // turn's figures in metadata that the backend merges on update.
    last.facts = { ...latest, tokens: null, timeToFirstTokenMs: null };
  }
  return turns;
}
