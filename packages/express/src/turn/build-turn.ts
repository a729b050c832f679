import { randomUUID } from 'node:crypto';
import type { JsonValue, Turn, TurnMessage, TurnStatus, TurnUsage, TurnUser } from '@chattrail/core';
import { turnMessageId } from '@chattrail/core/adapter';
import type { MessageInput } from '../extract';

export interface TurnParts {
  threadId: string;
  /** What message ids are derived from: the thread id, or a narrower scope (see ResponseChains). */
  idScope: string;
  /** Position of the first message in the thread. */
  firstPosition: number;
  user?: TurnUser;
  messages: MessageInput[];
  model?: string;
  usage?: TurnUsage;
  startedAt: number;
  endedAt: number;
  timeToFirstTokenMs?: number;
  status: TurnStatus;
  error?: { name: string; message: string };
  metadata: Record<string, JsonValue>;
  captureContent: boolean;
}

export function buildTurn(parts: TurnParts): Turn {
  const messages = parts.messages.map((input, index) => {
    const message = toTurnMessage(input, parts.captureContent);
    message.id = input.id ?? turnMessageId(parts.idScope, parts.firstPosition + index, message);
    return message;
  });
  const turn: Turn = {
    id: `turn_${randomUUID()}`,
    threadId: parts.threadId,
    messages,
    startedAt: new Date(parts.startedAt).toISOString(),
    endedAt: new Date(parts.endedAt).toISOString(),
    status: parts.status,
    source: 'express',
  };
  if (parts.user !== undefined) turn.user = parts.user;
  if (parts.model !== undefined) turn.model = { id: parts.model };
  if (parts.usage !== undefined) turn.usage = parts.usage;
  if (parts.timeToFirstTokenMs !== undefined) turn.timeToFirstTokenMs = parts.timeToFirstTokenMs;
  if (parts.error !== undefined) turn.error = parts.error;
  if (Object.keys(parts.metadata).length > 0) turn.metadata = parts.metadata;
  return turn;
}

/** A clean TurnMessage (no stray fields from an extractor); without content when it is not captured. */
function toTurnMessage(input: MessageInput, captureContent: boolean): TurnMessage {
  const message: TurnMessage = {
    id: '',
    role: input.role,
    content: captureContent && typeof input.content === 'string' ? input.content : '',
  };
  if (input.toolCalls !== undefined && input.toolCalls.length > 0) {
    message.toolCalls = input.toolCalls.map((call) => ({
      id: call.id,
      name: call.name,
      args: captureContent ? call.args : null,
    }));
  }
  if (input.toolResult !== undefined) {
    message.toolResult = {
      toolCallId: input.toolResult.toolCallId,
      output: captureContent ? input.toolResult.output : null,
    };
    if (input.toolResult.name !== undefined) message.toolResult.name = input.toolResult.name;
    if (input.toolResult.isError !== undefined) message.toolResult.isError = input.toolResult.isError;
  }
  if (input.createdAt !== undefined) message.createdAt = input.createdAt;
  if (input.senderId !== undefined) message.senderId = input.senderId;
  if (input.metadata !== undefined) message.metadata = input.metadata;
  return message;
}
