import { looksLikeNewMessages } from '../thread/looks-like-new-messages';
import type { RecordedHistory } from '../thread/recorded-history';
import type { TrailErrors } from './trail-errors';

// An edit of the first message also carries nothing of the previous turn; three in a row rarely are edits.
const UNLINKED_TURNS_BEFORE_WARNING = 3;

/** Counts a thread's turns in a row that carry none of the previous one's messages; warns once at 3. */
export function noteUnlinkedTurn(
  previous: RecordedHistory | undefined,
  next: RecordedHistory | undefined,
  errors: TrailErrors,
): void {
  // Left unset (0) otherwise: no property added on the hot path.
  if (!previous || !next || next.newMessages === true || !looksLikeNewMessages(previous, next)) return;
  next.unlinkedTurns = (previous.unlinkedTurns ?? 0) + 1;
  if (next.unlinkedTurns < UNLINKED_TURNS_BEFORE_WARNING || !errors.once('warning:unlinked-turns')) return;
  console.warn(
    `[chattrail] ${next.unlinkedTurns} turns in a row of one thread carried none of the previous turn's messages. If the app keeps the history itself and sends only the new messages, create the trail with { turnMessages: 'new' }: otherwise a repeated text (a second "yes") is taken for one already sent.`,
  );
}
