import type { TurnMessage } from '../spec/turn';

/** A thread's last recorded history: copies the next turn's identical messages reuse, unnormalised again. */
export interface RecordedHistory {
  /** Never mutated. */
  readonly messages: readonly TurnMessage[];
  /** Per position, a {@link Reuse}; one number when the same for all (saves a slot per message). */
  readonly reuse: readonly number[] | number;
  /** Per message, the thread position its id derives from, when not its index (see `alignHistory`). */
  readonly positions?: readonly number[] | undefined;
  /** Recorded with `turnMessages: 'new'`. */
  newMessages?: boolean;
  /** The turn failed or was aborted: a retry may resend its input (see `numberNewMessages`). */
  failed?: boolean;
  /** Turns in a row that carried none of the previous turn's messages (see `looksLikeNewMessages`). */
  unlinkedTurns?: number;
}

export const Reuse = {
  /** More than role, id and text (tool calls, parts, metadata), or its text was cut or blanked. */
  never: 0,
  /** Plain text with its own id: for the same role, id and text. */
  givenId: 1,
  /** Plain text with a derived id: for the same role and text, no id. */
  derivedId: 2,
} as const;

export function reuseAt(history: RecordedHistory, position: number): number | undefined {
  return typeof history.reuse === 'number' ? history.reuse : history.reuse[position];
}
