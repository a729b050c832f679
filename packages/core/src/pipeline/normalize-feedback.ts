import { boundId } from '../normalize/bound-id';
import { truncateUtf8 } from '../normalize/truncate-utf8';
import { wellFormed } from '../normalize/well-formed';
import type { ChatTrailFeedback } from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import { isObject, nonEmptyString, shortText, turnUser } from './normalize-values';

/** A private, bounded copy of feedback to queue (ids bounded as for turns); `undefined` if invalid. */
export function normalizeFeedback(
  input: ChatTrailFeedback,
  options: { maxMessageBytes: number; captureContent: boolean },
): Extract<DeliveryItem, { type: 'feedback' }> | undefined {
  if (!isObject(input)) return undefined;
  const threadId = nonEmptyString(input.threadId);
  if (threadId === undefined || (input.type !== 'positive' && input.type !== 'negative')) return undefined;
  const feedback: ChatTrailFeedback = { threadId: boundId(threadId), type: input.type };
  const messageId = nonEmptyString(input.messageId);
  if (messageId !== undefined) feedback.messageId = boundId(messageId);
  const bounded = (text: string) => wellFormed(truncateUtf8(text, options.maxMessageBytes));
  if (typeof input.text === 'string' && options.captureContent) feedback.text = bounded(input.text);
  if (isObject(input.attributes)) {
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(input.attributes)) {
      if (key !== '__proto__' && (typeof value === 'string' || typeof value === 'number')) {
        attributes[shortText(key)] = bounded(String(value));
      }
    }
    feedback.attributes = attributes;
  }
  const user = input.user;
  if (isObject(user) && nonEmptyString(user.id) !== undefined) feedback.user = turnUser(user.id, user);
  return { type: 'feedback', feedback };
}
