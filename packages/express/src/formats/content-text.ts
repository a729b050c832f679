import { contentPartPlaceholder } from '@chattrail/core/adapter';
import { isRecord } from './json-value';

const TEXT_PART_TYPES = new Set(['text', 'input_text', 'output_text']);

/**
 * The text of an OpenAI-style message content: a string as it is; a part list as its text parts, with
 * every other part (image, audio, file) replaced by a short placeholder, joined by newlines.
 */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) return contentPartPlaceholder(content);
  const pieces: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') pieces.push(part);
    else if (isRecord(part) && typeof part.type === 'string' && TEXT_PART_TYPES.has(part.type)) {
      if (typeof part.text === 'string') pieces.push(part.text);
    } else if (isRecord(part) && part.type === 'refusal' && typeof part.refusal === 'string') {
      pieces.push(part.refusal);
    } else pieces.push(contentPartPlaceholder(part));
  }
  return pieces.join('\n');
}
