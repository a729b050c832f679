import type { JsonValue } from '@chattrail/core';
import { toJsonSafe } from '@chattrail/core/adapter';

export type UnknownRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** JSON text, or `undefined` when it is not JSON. Never throws. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Tool-call arguments as a JSON value: providers send them as JSON text, which is parsed; text that is
 * not JSON (a model's malformed output) is kept as the string it is.
 */
export function toolArguments(value: unknown): JsonValue {
  if (typeof value === 'string') {
    if (value.trim() === '') return {};
    const parsed = parseJson(value);
    return parsed === undefined ? value : toJsonSafe(parsed);
  }
  return value === undefined ? {} : toJsonSafe(value);
}

/** A tool's output: JSON objects/arrays sent as text are parsed, other text is kept. */
export function toolOutput(value: unknown): JsonValue {
  if (typeof value === 'string') {
    const first = value.trimStart()[0];
    if (first === '{' || first === '[') {
      const parsed = parseJson(value);
      if (parsed !== undefined) return toJsonSafe(parsed);
    }
    return value;
  }
  return toJsonSafe(value);
}

/** String-valued entries of an object (OpenAI `metadata` is `Record<string, string>`). */
export function stringRecord(value: unknown): Record<string, JsonValue> | undefined {
  if (!isRecord(value)) return undefined;
  let out: Record<string, JsonValue> | undefined;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string' || typeof entry === 'number' || typeof entry === 'boolean') {
      out ??= {};
      out[key] = entry;
    }
  }
  return out;
}
