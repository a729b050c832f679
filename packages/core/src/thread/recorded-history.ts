import type { TurnMessage } from '../spec/turn';

/**
 * The last recorded history of a thread: the private copies `normalizeTurn` made of its messages, and
 * for each whether it can stand for an identical message at the same position next time.
 *
 * Adapters resend the whole history with every turn, so turn n+1 of a thread repeats turn n's messages
 * one for one. `normalizeTurn` compares each incoming message with the copy at the same position and,
 * when its role, id and text are the very same, reuses the copy instead of normalising (and hashing an id
 * for) it again: record() then costs O(new messages) plus one comparison per old one. The thread log
 * (`ThreadLog`) keeps one per thread.
 */
export interface RecordedHistory {
  /** The turn's normalised messages, all of them (never mutated). */
  readonly messages: readonly TurnMessage[];
  /**
   * Per position, {@link Reuse}: whether (and how) the copy stands for an identical resent message; one
   * number when it is the same for all (the usual case: it saves an array slot per message of the thread).
   */
  readonly reuse: readonly number[] | number;
  /**
   * Per message, the thread position its id was derived from, when that is not its index (the app sends a
   * window of the history; see `alignHistory`). `undefined` in the usual case.
   */
  readonly positions?: readonly number[] | undefined;
  /** The turn's messages were taken as only the new ones (`turnMessages: 'new'`). */
  newMessages?: boolean;
  /** The turn failed or was aborted (its input may come again in a retry; see `numberNewMessages`). */
  failed?: boolean;
  /** Turns of the thread in a row that carried none of the previous turn's messages (see `looksLikeNewMessages`). */
  unlinkedTurns?: number;
}

/** How a copy may be reused. */
export const Reuse = {
  /** It had more than role, id and text (tool calls, parts, metadata...), or its text was cut or blanked. */
  never: 0,
  /** A plain text message with its own id: reusable for the same role, id and text. */
  givenId: 1,
  /** A plain text message without an id (one was derived): reusable for the same role and text, no id. */
  derivedId: 2,
} as const;

/** How the history's copy at `position` may be reused (see {@link RecordedHistory.reuse}). */
export function reuseAt(history: RecordedHistory, position: number): number | undefined {
  const { reuse } = history;
  return typeof reuse === 'number' ? reuse : reuse[position];
}
