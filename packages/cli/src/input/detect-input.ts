import { isObject } from '../formats/conversation-fields';
import { JsonArraySplitter } from './json-array-splitter';

export const IMPORT_FORMATS = ['openai-jsonl', 'chatgpt', 'ui-messages'] as const;
/** What each conversation looks like. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/**
 * How the conversations sit in the input: one per line (`lines`), one per element of a top-level array
 * (`array`, read element by element), or the whole input is one conversation (`whole`: a pretty-printed
 * object, or an array of UIMessages).
 */
export type InputContainer = 'lines' | 'array' | 'whole';

export type DetectedInput = { format: ImportFormat; container: InputContainer } | { error: string };

/**
 * Tells the format and the container of an input from its name and its first bytes (`prefix`, up to 64 KB),
 * without reading further: `[` with a `mapping` in the first element is a ChatGPT export; an element with
 * `parts` is one UIMessage conversation; JSONL lines whose `messages` have `parts` are UIMessage
 * conversations, with `content` OpenAI chat. `format` (from `--format`) decides the format; the container
 * is still read from the bytes.
 */
export function detectInput(prefix: string, name: string, format: ImportFormat | 'auto'): DetectedInput {
  const text = prefix.replace(/^\uFEFF/, '').trimStart();
  if (text === '') return { error: 'the input is empty' };
  const unknown = (why: string): DetectedInput => ({
    error: `cannot tell the format (${why}; it starts with ${JSON.stringify(text.slice(0, 40))}): pass --format ${IMPORT_FORMATS.join('|')}`,
  });

  if (text.startsWith('[')) {
    const first = firstElement(text);
    const kind = first === undefined ? kindFromText(text, name) : kindOf(first);
    if (format !== 'auto') {
      // An array whose elements are messages is one conversation.
      return { format, container: format === 'ui-messages' && kind === 'ui-message' ? 'whole' : 'array' };
    }
    switch (kind) {
      case 'chatgpt':
        return { format: 'chatgpt', container: 'array' };
      case 'ui-message':
        return { format: 'ui-messages', container: 'whole' };
      case 'ui-conversation':
        return { format: 'ui-messages', container: 'array' };
      case 'openai':
        return { format: 'openai-jsonl', container: 'array' };
      default:
        return unknown('a JSON array of neither ChatGPT conversations nor UIMessages');
    }
  }
  if (!text.startsWith('{')) return unknown('neither a JSON array nor JSON lines');

  // A pretty-printed object opens with a line of its own; JSONL never does.
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n')).trim();
  if (firstLine === '{') {
    if (format !== 'auto') return { format, container: 'whole' };
    const kind = kindFromText(text, name);
    if (kind === 'ui-conversation') return { format: 'ui-messages', container: 'whole' };
    if (kind === 'chatgpt') return { format: 'chatgpt', container: 'whole' };
    if (kind === 'openai') return { format: 'openai-jsonl', container: 'whole' };
    return unknown('a JSON object that is not a conversation');
  }
  if (format !== 'auto') return { format, container: 'lines' };
  // JSON lines: the first line that parses decides (a malformed first line is reported later, not here).
  for (const line of text.split('\n').slice(0, 20)) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const kind = kindOf(value);
    if (kind === 'chatgpt') return { format: 'chatgpt', container: 'lines' };
    if (kind === 'ui-conversation') return { format: 'ui-messages', container: 'lines' };
    if (kind === 'openai') return { format: 'openai-jsonl', container: 'lines' };
    return unknown('JSON lines without a "messages" array or a "mapping"');
  }
  return /\.(jsonl|ndjson)$/i.test(name)
    ? { format: 'openai-jsonl', container: 'lines' }
    : unknown('no line of the first 64 KB is JSON');
}

type Kind = 'chatgpt' | 'ui-message' | 'ui-conversation' | 'openai' | undefined;

function kindOf(value: unknown): Kind {
  if (!isObject(value)) return undefined;
  if (isObject(value.mapping)) return 'chatgpt';
  if (Array.isArray(value.parts) && typeof value.role === 'string') return 'ui-message';
  if (!Array.isArray(value.messages)) return undefined;
  const first = value.messages.find(isObject);
  if (first === undefined) return undefined;
  if (Array.isArray(first.parts)) return 'ui-conversation';
  if ('content' in first || 'tool_calls' in first) return 'openai';
  return undefined;
}

/** The first element when it is complete within the prefix. */
function firstElement(text: string): unknown {
  try {
    const [first] = new JsonArraySplitter().push(text);
    return first === undefined ? undefined : JSON.parse(first.text);
  } catch {
    return undefined;
  }
}

/** When the first conversation is larger than the prefix: its keys, read from the text. */
function kindFromText(text: string, name: string): Kind {
  if (/"mapping"\s*:/.test(text)) return 'chatgpt';
  const parts = text.search(/"parts"\s*:/);
  const messages = text.search(/"messages"\s*:/);
  if (parts >= 0) return messages >= 0 && messages < parts ? 'ui-conversation' : 'ui-message';
  if (messages >= 0 && /"content"\s*:/.test(text)) return 'openai';
  return /(^|[\\/])conversations\.json$/i.test(name) ? 'chatgpt' : undefined;
}
