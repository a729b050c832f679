import { turnMessageId } from '../normalize/message-id';
import type { TurnMessage } from '../spec/turn';

/** Whether a raw message brings its own id (one equal to the index-derived id is positional). */
export function hasOwnId(input: unknown, index: number, threadId: string, message: TurnMessage): boolean {
  if (input === null || typeof input !== 'object') return false;
  const id = (input as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' && id !== turnMessageId(threadId, index, message);
}
