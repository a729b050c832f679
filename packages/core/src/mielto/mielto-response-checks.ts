/**
 * What the Mielto client needs from each 2xx body, for `JsonRequest.validate`: a description of what is
 * wrong, or `undefined`. The rest of a body is taken as it comes: the API may add fields.
 */

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasId(value: unknown): boolean {
  return isObject(value) && typeof value.id === 'string' && value.id !== '';
}

/** `POST /conversations`: the conversation, whose `id` every message call needs. */
export function checkConversation(body: unknown): string | undefined {
  return hasId(body) ? undefined : 'no conversation id';
}

/** `GET /conversations`: `{ data: Conversation[], total_count }`; a page without `data` is not an empty page. */
export function checkConversationList(body: unknown): string | undefined {
  if (!isObject(body) || !Array.isArray(body.data)) return 'no data array';
  if (!body.data.every(hasId)) return 'a conversation without an id';
  return undefined;
}

/** `POST /messages`: the stored messages (an array; a single object is accepted too). */
export function checkCreatedMessages(body: unknown): string | undefined {
  return Array.isArray(body) || isObject(body) ? undefined : 'no messages';
}
