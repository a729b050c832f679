import type { JsonValue, Turn, TurnMessage } from '@chattrail/core';
import { contentPartPlaceholder, formatBytes } from '@chattrail/core/adapter';
import { idText, isObject, timestamp } from './conversation-fields';
import { ImportInputError } from './import-input-error';
import { type ConversationOrigin, derivedThreadId } from './openai-chat-to-turn';

/**
 * Content types that are the model's or ChatGPT's own working notes, not part of the conversation as the
 * user saw it: reasoning ("thoughts", "reasoning_recap") and memory / custom-instruction context.
 */
const NOT_SHOWN = new Set(['thoughts', 'reasoning_recap', 'model_editable_context', 'user_editable_context']);

/**
 * One conversation of a ChatGPT data export (`conversations.json`) as a Turn.
 *
 * The export keeps every branch of a conversation (each edit or regeneration starts one) as a tree in
 * `mapping`. The import follows the branch that was current (`current_node` up its `parent` links), as
 * ChatGPT shows it; the other branches are not imported, and their number is kept in the turn's metadata
 * (`chatgpt.other_branches`). Messages hidden from the conversation (`is_visually_hidden_from_conversation`,
 * empty system messages, reasoning and memory notes) are skipped and counted (`chatgpt.hidden_messages`).
 * An assistant message addressed to a tool (`recipient` other than `all`, e.g. `python`) becomes a tool
 * call; the `tool` message that answers it, its result.
 *
 * @throws {ImportInputError} when the value is not such a conversation.
 */
export function chatGPTConversationToTurn(value: unknown, origin: ConversationOrigin): Turn {
  if (!isObject(value)) throw new ImportInputError('not a JSON object');
  const mapping = value.mapping;
  if (!isObject(mapping)) throw new ImportInputError('no "mapping" object');

  const path = currentBranch(mapping, value.current_node);
  const threadId = idText(value.conversation_id) ?? idText(value.id) ?? derivedThreadId(origin);
  const messages: TurnMessage[] = [];
  let hidden = 0;
  /** Tool name → the id of its latest call without a result, to pair a tool message with its call. */
  const openCalls = new Map<string, string>();
  let model: string | undefined;

  for (const node of path) {
    const raw = node.message;
    if (!isObject(raw)) continue;
    const author = isObject(raw.author) ? raw.author : {};
    const role = typeof author.role === 'string' ? author.role : undefined;
    const content = isObject(raw.content) ? raw.content : {};
    const contentType = typeof content.content_type === 'string' ? content.content_type : 'text';
    const meta = isObject(raw.metadata) ? raw.metadata : {};
    if (
      meta.is_visually_hidden_from_conversation === true ||
      NOT_SHOWN.has(contentType) ||
      (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'tool')
    ) {
      hidden++;
      continue;
    }
    const text = contentText(content, contentType);
    if (role === 'system' && text.trim() === '') {
      hidden++;
      continue;
    }
    const message: TurnMessage = { id: '', role, content: text };
    const createdAt = timestamp(raw.create_time);
    if (createdAt !== undefined) message.createdAt = createdAt;
    const recipient = typeof raw.recipient === 'string' ? raw.recipient : 'all';

    if (role === 'assistant' && recipient !== 'all') {
      // A call to a tool: the code or query is its argument, and it is not text the user was shown.
      const callId = idText(raw.id) ?? idText(node.id) ?? `${recipient}_${messages.length}`;
      message.content = '';
      message.toolCalls = [{ id: callId, name: recipient, args: parseArgs(text) }];
      openCalls.set(recipient, callId);
    } else if (role === 'tool') {
      const name = typeof author.name === 'string' ? author.name : undefined;
      const callId =
        (name === undefined ? undefined : openCalls.get(name)) ?? idText(raw.id) ?? `tool_${messages.length}`;
      if (name !== undefined) openCalls.delete(name);
      message.toolResult =
        name === undefined
          ? { toolCallId: callId, output: text }
          : { toolCallId: callId, name, output: text };
    } else if (text.trim() === '') {
      // Empty text (a placeholder before a tool call, an interrupted answer): nothing to keep.
      hidden++;
      continue;
    }
    if (role === 'assistant' && typeof meta.model_slug === 'string') model = meta.model_slug;
    messages.push(message);
  }
  if (messages.length === 0) throw new ImportInputError('no visible messages on the current branch');

  const startedAt = timestamp(value.create_time) ?? messages[0]?.createdAt ?? new Date(0).toISOString();
  const endedAt = timestamp(value.update_time) ?? messages.at(-1)?.createdAt ?? startedAt;
  const chatgpt: Record<string, JsonValue> = {
    other_branches: Math.max(0, leafCount(mapping) - 1),
    hidden_messages: hidden,
  };
  if (typeof value.title === 'string') chatgpt.title = value.title;
  const turn: Turn = {
    id: `import_${threadId}`,
    threadId,
    messages,
    startedAt,
    endedAt,
    status: 'ok',
    source: 'manual',
    metadata: { imported_from: `${origin.fileName}:${origin.line}`, chatgpt },
  };
  const modelId = typeof value.default_model_slug === 'string' ? value.default_model_slug : model;
  if (modelId !== undefined && modelId !== '') turn.model = { provider: 'openai', id: modelId };
  return turn;
}

interface MappingNode {
  id?: unknown;
  message?: unknown;
  parent?: unknown;
  children?: unknown;
}

/**
 * The nodes from the root to `current_node`. Without a usable `current_node`, the newest leaf. A parent
 * link that loops or leads nowhere ends the walk (the export is trusted no further than that).
 */
function currentBranch(mapping: Record<string, unknown>, currentNode: unknown): MappingNode[] {
  let id =
    typeof currentNode === 'string' && isObject(mapping[currentNode]) ? currentNode : newestLeaf(mapping);
  if (id === undefined) throw new ImportInputError('"mapping" has no nodes');
  const path: MappingNode[] = [];
  const seen = new Set<string>();
  while (id !== undefined && !seen.has(id)) {
    seen.add(id);
    const node: unknown = mapping[id];
    if (!isObject(node)) break;
    path.push(node);
    id = typeof node.parent === 'string' ? node.parent : undefined;
  }
  return path.reverse();
}

function isLeaf(node: Record<string, unknown>): boolean {
  return !Array.isArray(node.children) || node.children.length === 0;
}

function leafCount(mapping: Record<string, unknown>): number {
  let leaves = 0;
  for (const node of Object.values(mapping)) if (isObject(node) && isLeaf(node)) leaves++;
  return leaves;
}

function newestLeaf(mapping: Record<string, unknown>): string | undefined {
  let best: string | undefined;
  let bestTime = Number.NEGATIVE_INFINITY;
  for (const [id, node] of Object.entries(mapping)) {
    if (!isObject(node) || !isLeaf(node)) continue;
    const time =
      isObject(node.message) && typeof node.message.create_time === 'number' ? node.message.create_time : 0;
    if (best === undefined || time > bestTime) {
      best = id;
      bestTime = time;
    }
  }
  return best;
}

/** Text of a message's `content`, by its `content_type`; what is not text becomes a short placeholder. */
function contentText(content: Record<string, any>, contentType: string): string {
  switch (contentType) {
    case 'text':
    case 'multimodal_text':
      return Array.isArray(content.parts)
        ? content.parts
            .map(partText)
            .filter((t) => t !== '')
            .join('\n')
        : '';
    case 'code':
    case 'execution_output':
    case 'system_error':
      return typeof content.text === 'string' ? content.text : '';
    case 'tether_quote':
      return [content.title, content.url, content.text]
        .filter((t) => typeof t === 'string' && t !== '')
        .join('\n');
    case 'tether_browsing_display':
      return typeof content.result === 'string'
        ? content.result
        : typeof content.summary === 'string'
          ? content.summary
          : '';
    default:
      if (typeof content.text === 'string') return content.text;
      if (Array.isArray(content.parts)) return content.parts.map(partText).join('\n');
      return `[${contentType}]`;
  }
}

/** A part of `multimodal_text`: text, an audio transcription, or a pointer to an uploaded or generated asset. */
function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (!isObject(part)) return '';
  const type = typeof part.content_type === 'string' ? part.content_type : undefined;
  if (type === 'audio_transcription' && typeof part.text === 'string') return part.text;
  if (type === 'image_asset_pointer') {
    // The pointer (a file-service id) means nothing outside ChatGPT; its size and shape say what it was.
    const details: string[] = [];
    if (typeof part.size_bytes === 'number') details.push(formatBytes(part.size_bytes));
    if (typeof part.width === 'number' && typeof part.height === 'number') {
      details.push(`${part.width}×${part.height}`);
    }
    if (isObject(part.metadata) && isObject(part.metadata.dalle)) details.push('generated');
    return details.length > 0 ? `[image: ${details.join(', ')}]` : '[image]';
  }
  if (type?.endsWith('_asset_pointer')) {
    return `[${type.replace(/_asset_pointer$/, '').replace(/_/g, ' ')}]`;
  }
  return contentPartPlaceholder({ type: type ?? 'unknown' });
}

/** A tool call's argument: JSON when it is JSON (browser queries, DALL·E prompts), else the code as text. */
function parseArgs(text: string): JsonValue {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as JsonValue;
    } catch {
      // code that happens to start with a brace
    }
  }
  return text;
}
