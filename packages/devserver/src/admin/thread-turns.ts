import { hasFigures, type ViewerTurnFacts, type ViewerTurnStatus, worseStatus } from './turn-facts.js';
import type { ViewerMessage, ViewerThread } from './viewer-threads.js';

/** One recorded turn of a thread, as far as a backend's copy tells. */
export interface ViewerTurn {
  /** chattrail's turn id, when the backend holds it (Mielto). */
  turnId: string | null;
  /** Index of its first and last message in the thread's messages. */
  firstMessage: number;
  lastMessage: number;
  /** Whether it has an assistant or tool message (a failed turn may have none). */
  answered: boolean;
  facts: ViewerTurnFacts | null;
}

type TurnSummary = Pick<ViewerThread, 'turns' | 'turnsCountedBy' | 'status' | 'error'>;

const isAnswer = (role: string) => role !== 'user' && role !== 'system';

/** Keeps the facts with figures (the turn-end message's) over facts with a status only. */
function better(current: ViewerTurnFacts | null, next: ViewerTurnFacts | null): ViewerTurnFacts | null {
  if (next === null) return current;
  if (current === null || hasFigures(next) || next.error !== null || !hasFigures(current)) return next;
  return current;
}

/**
 * The turns of a thread's messages. With chattrail's `meta_data.turn_id` on the messages (Mielto), one turn
 * per distinct id: each message carries the id of the turn that first sent it, so a turn that added
 * messages is counted once, a tool loop's model calls each count, and a failed turn that only added the
 * user message counts too. Without (Melodi), one turn per answer — a run of assistant and tool messages
 * with the user messages before it — and a trailing unanswered turn when `latest` (Melodi's thread
 * metadata, which describes the latest turn) records an error or abort.
 *
 * `latest` is also put on the message that ends the last answer as its `facts`, when it has none of its
 * own: that is the message the figures are about. Mutates those messages.
 */
export function threadTurns(messages: ViewerMessage[], latest: ViewerTurnFacts | null): TurnSummary {
  const byId = messages.some((m) => turnIdOf(m) !== null);
  const turns = byId ? turnsById(messages) : turnsByAnswer(messages);
  if (!byId && latest !== null) {
    const last = turns[turns.length - 1];
    const lastMessage = messages[messages.length - 1];
    if (last?.answered && lastMessage !== undefined && isAnswer(lastMessage.role)) {
      last.facts = better(last.facts, latest);
      lastMessage.facts ??= latest;
    } else if (latest.status === 'error' || latest.status === 'aborted') {
      // The latest turn failed before answering: its user message(s) are the thread's tail.
      let first = messages.length;
      while (first > 0 && !isAnswer(messages[first - 1]!.role)) first--;
      turns.push({
        turnId: null,
        firstMessage: Math.min(first, Math.max(0, messages.length - 1)),
        lastMessage: Math.max(0, messages.length - 1),
        answered: false,
        facts: latest,
      });
    }
  }
  let status: ViewerTurnStatus | null = null;
  let error: TurnSummary['error'] = null;
  for (const turn of turns) {
    status = worseStatus(status, turn.facts?.status ?? null);
    if (turn.facts?.error) error = turn.facts.error;
  }
  return { turns, turnsCountedBy: byId ? 'turn-ids' : 'answers', status, error };
}

function turnIdOf(m: ViewerMessage): string | null {
  const id = m.metadata?.turn_id;
  return typeof id === 'string' ? id : null;
}

function turnsById(messages: ViewerMessage[]): ViewerTurn[] {
  const turns: ViewerTurn[] = [];
  const byId = new Map<string, ViewerTurn>();
  messages.forEach((m, i) => {
    const id = turnIdOf(m);
    if (id === null) return; // a message some other client added: no turn of ours
    let turn = byId.get(id);
    if (turn === undefined) {
      turn = { turnId: id, firstMessage: i, lastMessage: i, answered: false, facts: null };
      byId.set(id, turn);
      turns.push(turn);
    }
    turn.lastMessage = i;
    if (isAnswer(m.role)) turn.answered = true;
    turn.facts = better(turn.facts, m.facts);
  });
  return turns;
}

function turnsByAnswer(messages: ViewerMessage[]): ViewerTurn[] {
  const turns: ViewerTurn[] = [];
  let askedFrom: number | null = null; // first user message since the last answer
  let current: ViewerTurn | null = null;
  messages.forEach((m, i) => {
    if (!isAnswer(m.role)) {
      if (m.role === 'user' && askedFrom === null) askedFrom = i;
      current = null;
      return;
    }
    if (current === null) {
      current = { turnId: null, firstMessage: askedFrom ?? i, lastMessage: i, answered: true, facts: null };
      turns.push(current);
      askedFrom = null;
    }
    current.lastMessage = i;
    current.facts = better(current.facts, m.facts);
  });
  return turns;
}
