import type { JsonValue, TurnToolCall, TurnToolResult } from '@chattrail/core';
import type { MessageInput } from '../extract';

/**
 * Builds the assistant side of a conversation one piece at a time, step by step: each step becomes one
 * assistant message (its text and tool calls) followed by one tool message per result, ordered like the
 * calls. The same assembler reads a streamed answer and the history a client sends back, so both produce
 * the same messages, hence the same stable ids, and a resent history is not stored twice.
 *
 * Text is capped at `maxChars` in total (the answer's share of `maxBodyBytes`); past it, text is
 * dropped and `truncated` is set.
 */
export class MessageAssembler {
  truncated = false;
  private readonly out: MessageInput[] = [];
  private text = '';
  private newTextPart = false;
  private calls: TurnToolCall[] = [];
  private results: TurnToolResult[] = [];
  private chars = 0;

  constructor(private readonly maxChars = Number.POSITIVE_INFINITY) {}

  /** The next text starts a new part: it is separated from earlier text of the step by a newline. */
  startTextPart(): void {
    this.newTextPart = true;
  }

  appendText(delta: string): void {
    if (delta === '') return;
    if (this.newTextPart) {
      this.newTextPart = false;
      if (this.text !== '') delta = `\n${delta}`;
    }
    if (this.chars + delta.length > this.maxChars) {
      delta = delta.slice(0, Math.max(0, this.maxChars - this.chars));
      this.truncated = true;
    }
    this.chars += delta.length;
    this.text += delta;
  }

  /** Appends text as its own part (a file placeholder, one text part of a client message). */
  appendPart(text: string): void {
    this.startTextPart();
    this.appendText(text);
  }

  addToolCall(call: TurnToolCall): void {
    this.calls.push(call);
  }

  addToolResult(result: TurnToolResult): void {
    this.results.push(result);
  }

  /** Closes the current step: its assistant message, then its tool results in the order of the calls. */
  endStep(): void {
    if (this.text !== '' || this.calls.length > 0) {
      const message: MessageInput = { role: 'assistant', content: this.text };
      if (this.calls.length > 0) message.toolCalls = this.calls;
      this.out.push(message);
    }
    if (this.results.length > 0) {
      const order = new Map(this.calls.map((call, index) => [call.id, index]));
      const sorted = this.results
        .map((result, arrival) => ({
          result,
          rank: order.get(result.toolCallId) ?? this.calls.length + arrival,
        }))
        .sort((a, b) => a.rank - b.rank);
      for (const { result } of sorted) {
        this.out.push({ role: 'tool', content: toolResultText(result.output), toolResult: result });
      }
    }
    this.text = '';
    this.newTextPart = false;
    this.calls = [];
    this.results = [];
  }

  /** Ends the last step and returns every message, in order. */
  finish(): MessageInput[] {
    this.endStep();
    return this.out;
  }
}

/** The text shown for a tool result: strings as they are, anything else as JSON. */
export function toolResultText(output: JsonValue): string {
  return typeof output === 'string' ? output : JSON.stringify(output);
}
