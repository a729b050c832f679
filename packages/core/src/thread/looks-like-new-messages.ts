import { leadingSystemCount } from './leading-system-count';
import type { RecordedHistory } from './recorded-history';

/** Whether a `'history'` turn looks like only new messages: a user message first, none of the last turn's. */
export function looksLikeNewMessages(previous: RecordedHistory, next: RecordedHistory): boolean {
  const prior = previous.messages;
  const { messages } = next;
  const start = leadingSystemCount(messages);
  const priorStart = leadingSystemCount(prior);
  const first = messages[start];
  if (first?.role !== 'user' || priorStart >= prior.length || first.id === prior[priorStart]!.id)
    return false;
  const ids = new Set<string>();
  for (let k = priorStart; k < prior.length; k++) ids.add(prior[k]!.id);
  for (let j = start; j < messages.length; j++) if (ids.has(messages[j]!.id)) return false;
  return true;
}
