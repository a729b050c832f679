import type { JsonObject, Turn } from '../spec/turn';
import { mapJsonStrings } from './map-json-strings';
import { maskApiKeys } from './mask-api-keys';
import { maskCardNumbers } from './mask-card-numbers';
import { maskEmails } from './mask-emails';
import { maskPhoneNumbers } from './mask-phone-numbers';
import type { TextMasker } from './text-masker';

/** What `redactText()` applies when called without maskers, in this order (cards before phones). */
export const defaultMaskers: readonly TextMasker[] = [
  maskApiKeys,
  maskEmails,
  maskCardNumbers,
  maskPhoneNumbers,
];

/**
 * Builds a `redact` function for `createChatTrail` that runs `maskers` (all four built-in ones when none
 * are given) over every text of a turn: message contents, tool-call arguments, tool outputs, message and
 * turn metadata, and the error message. Ids, roles, tool names, the model and the user (`turn.user` is the
 * identity the backends file the thread under) are left as they are.
 *
 * It rewrites the turn it is given and returns it: `record()` hands `redact` a private copy, so the app's
 * own objects are never touched.
 *
 * @example
 * createChatTrail({ redact: redactText() });                        // all built-in maskers
 * createChatTrail({ redact: redactText(maskEmails, maskApiKeys) }); // a chosen few
 * const mask = redactText(maskEmails, (text) => text.replaceAll(/ACME-\d+/g, '[ticket]'));
 * createChatTrail({ redact: (turn) => (turn.metadata?.private ? null : mask(turn)) });
 */
export function redactText(...maskers: TextMasker[]): (turn: Turn) => Turn {
  const list = maskers.length > 0 ? maskers : defaultMaskers;
  const mask = (text: string): string => {
    let result = text;
    for (const masker of list) result = masker(result);
    return result;
  };
  return (turn) => {
    for (const message of turn.messages) {
      if (typeof message.content === 'string') message.content = mask(message.content);
      if (message.toolCalls !== undefined) {
        for (const call of message.toolCalls) call.args = mapJsonStrings(call.args, mask);
      }
      if (message.toolResult !== undefined) {
        message.toolResult.output = mapJsonStrings(message.toolResult.output, mask);
      }
      if (message.metadata !== undefined)
        message.metadata = mapJsonStrings(message.metadata as JsonObject, mask);
    }
    if (turn.metadata !== undefined) turn.metadata = mapJsonStrings(turn.metadata as JsonObject, mask);
    if (turn.error !== undefined) turn.error = { ...turn.error, message: mask(turn.error.message) };
    return turn;
  };
}
