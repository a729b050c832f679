import type { JsonValue } from '@chattrail/core';
import { contentPartPlaceholder } from '@chattrail/core/adapter';

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
    // Spec V1 (ai 4) carried `result`, and so do provider-executed results of a generate result or a
    // stream (any JSON value); anything else unknown is shown as JSON.
    return plain(output === undefined ? legacyResult : output);
  }
  const o = output as { type?: unknown; value?: unknown; reason?: unknown };
  switch (o.type) {
    // `text` and `error-text` values are strings by the spec; a tool's own `toModelOutput` can still put an
    // object there, which is kept as JSON rather than coerced to "[object Object]".
    case 'text':
    case 'json':
      return plain(o.value);
    case 'error-text':
    case 'error-json':
      return { ...plain(o.value), isError: true };
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
          const text = typeof item.text === 'string' ? item.text : stringify(item.text);
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
      // An output shape of a later spec, or an app's plain value: kept as JSON.
      return plain(output);
  }
}

/** A value as both the message text (strings as they are, the rest as JSON text) and the JSON output. */
function plain(value: unknown): ToolResultView {
  const output = toJsonValue(value);
  return { content: typeof output === 'string' ? output : stringify(output), output };
}

/** JSON text of a value that may not be JSON-safe (BigInt, cycles): never throws, never "[object Object]". */
export function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return JSON.stringify(toJsonValue(value));
  }
}

const MAX_DEPTH = 64;

/**
 * A JSON-safe copy of a tool's value: BigInt as its decimal text, a cycle or anything deeper than 64 levels
 * as `"[Circular]"`/`"[Too deep]"`, bytes as a size placeholder, objects with `toJSON` (Date, URL) through
 * it, `undefined`, functions and symbols dropped from objects (null in arrays), non-finite numbers null.
 * Plain JSON comes back as it is, without a copy.
 */
export function toJsonValue(value: unknown): JsonValue {
  try {
    return isPlainJson(value, 0) ? (value as JsonValue) : convert(value, new Set(), 0);
  } catch {
    return '[unserialisable value]';
  }
}

function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => isPlainJson(item, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function convert(value: unknown, seen: Set<object>, depth: number): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null; // undefined, function, symbol
  if (seen.has(value)) return '[Circular]';
  if (depth > MAX_DEPTH) return '[Too deep]';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    return contentPartPlaceholder({ type: 'file', data: value });
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') return convert(withToJson.toJSON(), seen, depth + 1);
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => convert(item, seen, depth + 1) ?? null);
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      out[key] = convert(item, seen, depth + 1);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
