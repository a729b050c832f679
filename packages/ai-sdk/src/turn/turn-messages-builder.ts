import type { JsonValue, TurnMessage, TurnMessageRole, TurnToolCall, TurnToolResult } from '@chattrail/core';
import { contentPartPlaceholder, turnMessageId } from '@chattrail/core/adapter';

/** What a message says when `captureContent: false` (tool-call-only assistant messages stay empty). */
export const CONTENT_NOT_CAPTURED = '[content not captured]';

/**
 * Builds the ordered TurnMessages of one model call: the prompt it was given, then what it produced.
 *
 * The same builder turns a prompt message and a model output into messages, so the assistant message a
 * step produced and the same message when it comes back in the next step's (or the next turn's) prompt
 * get the same content and the same position, hence the same `turnMessageId`: that is what lets the trail
 * send each message once although every call carries the whole history.
 *
 * Text parts are concatenated as they are; a non-text part becomes a placeholder on its own line; empty
 * text parts and completely empty assistant messages are skipped in both directions, because the AI SDK
 * drops them from the history it resends.
 */
export class TurnMessagesBuilder {
  readonly messages: TurnMessage[] = [];

  constructor(
    private readonly threadId: string,
    readonly captureContent: boolean,
  ) {}

  /** Whether a message is open (between `begin` and `end`). */
  get inMessage(): boolean {
    return this.role !== undefined;
  }

  /** Starts a message; parts are added to it until the next `begin` or `end`. */
  begin(role: TurnMessageRole): void {
    this.end();
    this.role = role;
  }

  text(text: unknown): void {
    if (typeof text !== 'string' || text === '') return;
    this.hasText = true;
    if (!this.captureContent) return;
    if (this.lastWasPlaceholder) this.content += '\n';
    this.content += text;
    this.lastWasPlaceholder = false;
  }

  placeholder(part: unknown): void {
    this.hasText = true;
    if (!this.captureContent) return;
    if (this.content !== '') this.content += '\n';
    this.content += contentPartPlaceholder(part);
    this.lastWasPlaceholder = true;
  }

  reasoning(text: unknown): void {
    if (!this.captureContent || typeof text !== 'string' || text === '') return;
    this.reasoningText = this.reasoningText === undefined ? text : this.reasoningText + text;
  }

  toolCall(id: unknown, name: unknown, args: unknown): void {
    const call: TurnToolCall = {
      id: String(id ?? ''),
      name: String(name ?? ''),
      args: this.captureContent ? ((args ?? null) as JsonValue) : null,
    };
    if (this.toolCalls === undefined) this.toolCalls = [call];
    else this.toolCalls.push(call);
  }

  /** A whole tool message: one per tool result (a tool message with several results becomes several). */
  toolResult(result: TurnToolResult, content: string): void {
    this.end();
    const message = { role: 'tool' as const, content, toolResult: result };
    if (!this.captureContent) {
      message.content = CONTENT_NOT_CAPTURED;
      result.output = null;
    }
    this.push(message);
  }

  /** Closes the current message, if any, and appends it unless it is empty. */
  end(): void {
    const role = this.role;
    if (role === undefined) return;
    this.role = undefined;
    let content = this.content;
    if (!this.captureContent && this.hasText) content = CONTENT_NOT_CAPTURED;
    const toolCalls = this.toolCalls;
    const reasoning = this.reasoningText;
    this.content = '';
    this.hasText = false;
    this.lastWasPlaceholder = false;
    this.toolCalls = undefined;
    this.reasoningText = undefined;
    if (role === 'assistant' && content === '' && toolCalls === undefined && reasoning === undefined) return;
    const message: Omit<TurnMessage, 'id'> = { role, content };
    if (toolCalls !== undefined) message.toolCalls = toolCalls;
    if (reasoning !== undefined) message.metadata = { reasoning };
    this.push(message);
  }

  private push(message: Omit<TurnMessage, 'id'>): void {
    const position = this.messages.length;
    (message as TurnMessage).id = turnMessageId(this.threadId, position, message);
    this.messages.push(message as TurnMessage);
  }

  private role: TurnMessageRole | undefined;
  private content = '';
  private hasText = false;
  private lastWasPlaceholder = false;
  private toolCalls: TurnToolCall[] | undefined;
  private reasoningText: string | undefined;
}
