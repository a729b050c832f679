import { boundId } from '../normalize/bound-id';
import { truncateUtf8 } from '../normalize/truncate-utf8';
import { wellFormed } from '../normalize/well-formed';
import type { ChatTrailFeedback } from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';

/** UTF-8 bytes kept of a feedback attribute's name and of the user's email, name and username. */
const FEEDBACK_FIELD_BYTES = 1024;

/**
 * A private, bounded copy of feedback as an app handed it over, as the item the trail queues; `undefined`
 * without a thread id or a type of `'positive'`/`'negative'`. Texts are cut to `maxMessageBytes` (and
 * left out without content capture); ids are bounded as `normalizeTurn` bounds them.
 */
export function normalizeFeedback(
  input: ChatTrailFeedback,
  options: { maxMessageBytes: number; captureContent: boolean },
): Extract<DeliveryItem, { type: 'feedback' }> | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  // Ids bounded as normalizeTurn bounds them, so feedback reaches the thread its turns went to.
  const threadId = typeof input.threadId === 'string' && input.threadId !== '' ? input.threadId : undefined;
  if (threadId === undefined || (input.type !== 'positive' && input.type !== 'negative')) return undefined;
  const feedback: ChatTrailFeedback = { threadId: boundId(threadId), type: input.type };
  if (typeof input.messageId === 'string' && input.messageId !== '') {
    feedback.messageId = boundId(input.messageId);
  }
  const maxBytes = options.maxMessageBytes;
  if (typeof input.text === 'string' && options.captureContent) {
    feedback.text = wellFormed(truncateUtf8(input.text, maxBytes));
  }
  if (input.attributes !== null && typeof input.attributes === 'object') {
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(input.attributes)) {
      if (key !== '__proto__' && (typeof value === 'string' || typeof value === 'number')) {
        attributes[wellFormed(truncateUtf8(key, FEEDBACK_FIELD_BYTES))] = wellFormed(
          truncateUtf8(String(value), maxBytes),
        );
      }
    }
    feedback.attributes = attributes;
  }
  const user = input.user;
  if (user !== null && typeof user === 'object' && typeof user.id === 'string' && user.id !== '') {
    feedback.user = { id: boundId(user.id) };
    if (typeof user.email === 'string')
      feedback.user.email = wellFormed(truncateUtf8(user.email, FEEDBACK_FIELD_BYTES));
    if (typeof user.name === 'string')
      feedback.user.name = wellFormed(truncateUtf8(user.name, FEEDBACK_FIELD_BYTES));
    if (typeof user.username === 'string') {
      feedback.user.username = wellFormed(truncateUtf8(user.username, FEEDBACK_FIELD_BYTES));
    }
  }
  return { type: 'feedback', feedback };
}
