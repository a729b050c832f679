import { turnMessageId } from '../normalize/message-id';
import type { TurnMessage } from '../spec/turn';

/**
 * Whether a raw message brings an id of its own. One that is what `turnMessageId` derives for its index
 * does not count: adapters derive ids that way, and such an id is as positional as one derived here.
 * `message` is the normalised copy of `input`.
 */
export function hasOwnId(input: unknown, index: number, threadId: string, message: TurnMessage): boolean {
  if (input === null || typeof input !== 'object') return false;
  const id = (input as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' && id !== turnMessageId(threadId, index, message);
}
