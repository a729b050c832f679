import { contentPartPlaceholder, type JsonValue } from '@chattrail/core';

/** A tool result as the Turn carries it: text for `content`, a JSON value for `toolResult.output`. */
export interface ToolResultView {
  content: string;
  output: JsonValue;
  isError?: boolean;
}

/**
 * Reads the `output` of a prompt `tool-result` part, in every spec's shape:
 * V2 `text | json | error-text | error-json | content`, V3 adds `execution-denied` and richer `content`
 * items (`file-data`, `image-url`, ...), V4 `content` items `text | file | custom`. Media never reaches the
 * Turn: every non-text content item becomes a placeholder.
 */
export function readToolResultOutput(output: unknown, legacyResult?: unknown): ToolResultView {
  if (output === null || typeof output !== 'object') {
    // Spec V1 (ai 4) carried `result`; anything else unknown is shown as JSON.
    const value = (output === undefined ? legacyResult : output) as JsonValue;
    return { content: stringify(value), output: value ?? null };
  }
  const o = output as { type?: unknown; value?: unknown; reason?: unknown };
  switch (o.type) {
    case 'text':
      return { content: String(o.value ?? ''), output: String(o.value ?? '') };
    case 'json':
      return { content: stringify(o.value), output: (o.value ?? null) as JsonValue };
    case 'error-text':
      return { content: String(o.value ?? ''), output: String(o.value ?? ''), isError: true };
    case 'error-json':
      return { content: stringify(o.value), output: (o.value ?? null) as JsonValue, isError: true };
    case 'execution-denied': {
      const reason = typeof o.reason === 'string' ? o.reason : undefined;
      return {
        content: reason === undefined ? '[tool execution denied]' : `[tool execution denied: ${reason}]`,
        output: reason === undefined ? { denied: true } : { denied: true, reason },
        isError: true,
      };
    }
    case 'content': {
      const items = Array.isArray(o.value) ? o.value : [];
      const texts: string[] = [];
      const values: JsonValue[] = [];
      for (const item of items) {
        if (item !== null && typeof item === 'object' && item.type === 'text') {
          const text = String(item.text ?? '');
          texts.push(text);
          values.push({ type: 'text', text });
        } else {
          const placeholder = contentPartPlaceholder(item);
          texts.push(placeholder);
          values.push({ type: typeof item?.type === 'string' ? item.type : 'unknown', placeholder });
        }
      }
      return { content: texts.join('\n'), output: values };
    }
    default:
      return { content: stringify(output), output: output as JsonValue };
  }
}

/** JSON text of a value that may not be JSON-safe (BigInt, cycles): never throws. */
export function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
