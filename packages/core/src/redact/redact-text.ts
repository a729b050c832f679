import type { JsonObject, JsonValue, Turn } from '../spec/turn';
import { maskApiKeys } from './mask-api-keys';
import { maskCardNumbers } from './mask-card-numbers';
import { maskEmails } from './mask-emails';
import { maskPhoneNumbers } from './mask-phone-numbers';
import type { TextMasker } from './text-masker';

// Cards before phones, so a card number is labelled as a card.
const defaultMaskers: readonly TextMasker[] = [maskApiKeys, maskEmails, maskCardNumbers, maskPhoneNumbers];

/** A `redact` running `maskers` (default: all built-in) over a turn's texts in place; not ids or names. */
export function redactText(...maskers: TextMasker[]): (turn: Turn) => Turn {
  const list = maskers.length > 0 ? maskers : defaultMaskers;
  const mask = (text: string): string => list.reduce((result, masker) => masker(result), text);
  return (turn) => {
    for (const message of turn.messages) {
      if (typeof message.content === 'string') message.content = mask(message.content);
      for (const call of message.toolCalls ?? []) call.args = mapJsonStrings(call.args, mask);
      const { toolResult, metadata } = message;
      if (toolResult !== undefined) toolResult.output = mapJsonStrings(toolResult.output, mask);
      if (metadata !== undefined) message.metadata = mapJsonStrings(metadata as JsonObject, mask);
    }
    if (turn.metadata !== undefined) turn.metadata = mapJsonStrings(turn.metadata as JsonObject, mask);
    if (turn.error !== undefined) turn.error = { ...turn.error, message: mask(turn.error.message) };
    return turn;
  };
}

/** A copy of a JSON value with `fn` applied to every string in it (keys excluded). */
function mapJsonStrings<T extends JsonValue>(value: T, fn: (text: string) => string): T {
  if (typeof value === 'string') return fn(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => mapJsonStrings(item, fn)) as T;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapJsonStrings(item, fn)])) as T;
}
