function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasId(value: unknown): boolean {
  return isObject(value) && typeof value.id === 'string' && value.id !== '';
}

export function checkConversation(body: unknown): string | undefined {
  return hasId(body) ? undefined : 'no conversation id';
}

/** A page without `data` is not an empty page. */
export function checkConversationList(body: unknown): string | undefined {
  if (!isObject(body) || !Array.isArray(body.data)) return 'no data array';
  if (!body.data.every(hasId)) return 'a conversation without an id';
  return undefined;
}

export function checkCreatedMessages(body: unknown): string | undefined {
  return Array.isArray(body) || isObject(body) ? undefined : 'no messages';
}
