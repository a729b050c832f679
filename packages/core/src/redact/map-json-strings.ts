import type { JsonValue } from '../spec/turn';

/** A copy of a JSON value with `fn` applied to every string in it (keys excluded). */
export function mapJsonStrings<T extends JsonValue>(value: T, fn: (text: string) => string): T {
  if (typeof value === 'string') return fn(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => mapJsonStrings(item, fn)) as T;
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) out[key] = mapJsonStrings(value[key]!, fn);
  return out as T;
}
