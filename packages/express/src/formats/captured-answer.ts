import type { JsonValue, TurnUsage } from '@chattrail/core';
import type { MessageInput } from '../extract';
import type { SseEvent } from '../sse/sse-parser';

/** What the middleware read from a response, whatever its format. */
export interface CapturedAnswer {
  /** Assistant (and, for agent streams, tool) messages in order. */
  messages: MessageInput[];
  usage?: TurnUsage;
  model?: string;
  /** The provider's response id (`chatcmpl-…`, `resp_…`), used to follow Responses API chains. */
  responseId?: string;
  error?: { name: string; message: string };
  /** The stream itself said it was aborted (AI SDK `abort` chunk). */
  aborted?: boolean;
  /** Set when the answer was cut at `maxBodyBytes`. */
  truncated?: boolean;
  metadata?: Record<string, JsonValue>;
}

/** Folds the events of one streamed response into an answer. */
export interface StreamAssembler {
  event(event: SseEvent): void;
  finish(): CapturedAnswer;
  /** `performance.now()` when the first text or tool-call delta arrived. */
  readonly firstTokenAt: number | undefined;
}
