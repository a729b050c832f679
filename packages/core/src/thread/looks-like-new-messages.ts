import { leadingSystemCount } from './leading-system-count';
import type { RecordedHistory } from './recorded-history';

/**
 * Whether a turn recorded as history (`turnMessages: 'history'`) looks like the app sent only the new
 * messages: after the system prompt it starts with a user message and carries none of the previous turn's
 * messages. A full resend carries them all, a trimmed window some; an edit of the first user message
 * carries none, which is why the trail warns only after several such turns in a row.
 *
 * O(1) for a resent history (its first message after the system prompt is the previous turn's).
 */
export function looksLikeNewMessages(previous: RecordedHistory, next: RecordedHistory): boolean {
  const prior = previous.messages;
  const { messages } = next;
  const start = leadingSystemCount(messages);
  const priorStart = leadingSystemCount(prior);
  if (start >= messages.length || priorStart >= prior.length || messages[start]!.role !== 'user')
    return false;
  if (messages[start]!.id === prior[priorStart]!.id) return false;
  const ids = new Set<string>();
  for (let k = priorStart; k < prior.length; k++) ids.add(prior[k]!.id);
  for (let j = start; j < messages.length; j++) if (ids.has(messages[j]!.id)) return false;
  return true;
}
