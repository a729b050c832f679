import type { TurnMessagesBuilder } from '../turn/turn-messages-builder';
import { readToolResultOutput } from './tool-result-output';

/**
 * Adds the messages of a LanguageModel prompt (V2/V3/V4: `system | user | assistant | tool`) to the builder.
 * Files and images become placeholders, tool calls keep their parsed input, each tool result becomes its
 * own `tool` message. Unknown roles and part types are tolerated, never thrown on.
 */
export function addPromptMessages(
  builder: TurnMessagesBuilder,
  prompt: readonly unknown[] | undefined,
): void {
  if (!Array.isArray(prompt)) return;
  for (const message of prompt) {
    if (message === null || typeof message !== 'object') continue;
    const { role, content } = message as { role?: unknown; content?: unknown };
    switch (role) {
      case 'system':
        builder.begin('system');
        builder.text(content);
        break;
      case 'user':
      case 'assistant':
        builder.begin(role);
        if (typeof content === 'string') builder.text(content);
        else if (Array.isArray(content)) addParts(builder, content);
        break;
      case 'tool':
        builder.end();
        if (Array.isArray(content)) addParts(builder, content);
        break;
      default:
        break;
    }
  }
  builder.end();
}

/**
 * Parts of a prompt message or of a generate result's `content` (the same part names): text, reasoning,
 * files, tool calls, tool results (client tools in `tool` messages, provider-executed ones in assistant
 * content); approvals and sources are control data, not conversation, and are skipped.
 */
export function addParts(builder: TurnMessagesBuilder, parts: readonly unknown[]): void {
  // Tool results inside assistant content (provider-executed tools) follow the assistant message.
  let deferred: unknown[] | undefined;
  for (const part of parts) {
    if (part === null || typeof part !== 'object') continue;
    const p = part as Record<string, unknown>;
    switch (p.type) {
      case 'text':
        builder.text(p.text);
        break;
      case 'reasoning':
        builder.reasoning(p.text);
        break;
      case 'tool-call':
        builder.toolCall(p.toolCallId, p.toolName, parseInput(p.input ?? p.args));
        break;
      case 'tool-result':
        if (!builder.inMessage) addToolResult(builder, p);
        else if (deferred === undefined) deferred = [p];
        else deferred.push(p);
        break;
      case 'source':
      case 'tool-approval-request':
      case 'tool-approval-response':
      case 'reasoning-file':
        break;
      default:
        // file, image, custom and whatever a later spec adds: a placeholder, never bytes.
        builder.placeholder(p);
        break;
    }
  }
  if (deferred !== undefined) {
    builder.end();
    for (const p of deferred) addToolResult(builder, p as Record<string, unknown>);
  }
}

function addToolResult(builder: TurnMessagesBuilder, p: Record<string, unknown>): void {
  // Prompt parts carry `output`; generate-result parts (provider-executed tools) carry `result`.
  const view =
    'output' in p ? readToolResultOutput(p.output, p.result) : readToolResultOutput(undefined, p.result);
  const isError = view.isError === true || p.isError === true;
  builder.toolResult(
    {
      toolCallId: String(p.toolCallId ?? ''),
      ...(typeof p.toolName === 'string' ? { name: p.toolName } : {}),
      output: view.output,
      ...(isError ? { isError: true } : {}),
    },
    view.content,
  );
}

/** Prompt tool calls carry parsed input; result tool calls carry JSON text (empty text means `{}`). */
export function parseInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  if (input.trim() === '') return {};
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}
