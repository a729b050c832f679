import type { IncomingMessage } from 'node:http';
import type { TurnUser } from '@chattrail/core';
import { messageId } from '@chattrail/core/adapter';
import type { MessageInput } from '../extract';

/** A `FromRequest` option's value; a throwing function counts as "no value" and is reported. */
export function optionValue<T, Req>(
  option: T | ((req: Req) => T | undefined) | undefined,
  req: Req,
  report?: (error: unknown) => void,
): T | undefined {
  if (typeof option !== 'function') return option;
  try {
    return (option as (req: Req) => T | undefined)(req) ?? undefined;
  } catch (error) {
    report?.(error);
    return undefined;
  }
}

export function toUser(value: string | TurnUser | undefined | null): TurnUser | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : { id: value };
  return typeof value.id === 'string' && value.id !== '' ? value : undefined;
}

export function headerValue(req: IncomingMessage, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = req.headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

const OPENING_CHARS = 2048;

/**
 * A thread id for a client that names none (a plain OpenAI-compatible client resending its history):
 * derived from the user and the conversation's opening (first system and first user message), which
 * every resend repeats, so all turns of one conversation land in one thread and its messages keep their
 * ids. `undefined` when there is no user message to derive from.
 */
export function deriveThreadId(
  userId: string | undefined,
  messages: readonly MessageInput[],
): string | undefined {
  const firstUser = messages.find((m) => m.role === 'user');
  if (firstUser === undefined) return undefined;
  // The first 2,048 characters of each say which conversation it is, and bound the hashing cost.
  const system = (messages.find((m) => m.role === 'system')?.content ?? '').slice(0, OPENING_CHARS);
  const opening = `${system}\u001f${firstUser.content.slice(0, OPENING_CHARS)}`;
  const hash = messageId('@chattrail/express thread', 0, userId ?? '', opening);
  return `thread_${hash.slice(4)}`;
}
