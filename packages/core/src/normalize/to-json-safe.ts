import { quietly } from '../internal/quietly';
import type { JsonObject, JsonValue } from '../spec/turn';
import { formatBytes } from './format-bytes';
import { truncateUtf8 } from './truncate-utf8';
import { wellFormed } from './well-formed';

/** Limits of {@link toJsonSafe}; each leaves a marker where it cut. */
export interface JsonSafeOptions {
  /** Objects and arrays nested deeper than this become `"[Max depth]"`. Default 20. */
  maxDepth?: number;
  /** Keys kept per object; the rest are summarised under the key `"…"`. Default 1000. */
  maxKeys?: number;
  /** Items kept per array (or Set / Map); the rest are summarised by a last item. Default 1000. */
  maxArrayLength?: number;
  /** Values visited in total, for inputs wide *and* deep; the rest become `"[Truncated]"`. Default 10,000. */
  maxNodes?: number;
  /** Longer strings and keys are cut with a `… [truncated N bytes]` marker. Default: no limit. */
  maxStringBytes?: number;
}

/** Keys that would reach the prototype chain of whoever later merges or assigns the result. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const UNREADABLE = '[Unreadable]';
const OMIT: unique symbol = Symbol('omit');

/** Any value as fresh plain JSON, never throwing: cycles, binary data, throwing getters become markers. */
export function toJsonSafe(value: unknown, options: JsonSafeOptions = {}): JsonValue {
  const state: WalkState = {
    // Clamped so no option can make the recursion deep enough to overflow the stack.
    maxDepth: Math.min(options.maxDepth ?? 20, 1000),
    maxKeys: options.maxKeys ?? 1000,
    maxArrayLength: options.maxArrayLength ?? 1000,
    nodesLeft: options.maxNodes ?? 10_000,
    maxStringBytes: options.maxStringBytes,
    ancestors: new Set(),
  };
  const result = quietly(() => walk(value, 0, state));
  return result === undefined ? UNREADABLE : result === OMIT ? null : result;
}

type WalkState = Required<Pick<JsonSafeOptions, 'maxDepth' | 'maxKeys' | 'maxArrayLength'>> &
  Pick<JsonSafeOptions, 'maxStringBytes'> & { nodesLeft: number; ancestors: Set<object> };

function walk(value: unknown, depth: number, state: WalkState): JsonValue | typeof OMIT {
  if (state.nodesLeft <= 0) return '[Truncated]';
  state.nodesLeft--;
  if (typeof value === 'string') return boundString(value, state);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value === null) return null;
  // Functions, symbols and undefined, as JSON.stringify leaves them out.
  if (typeof value !== 'object') return OMIT;
  const special = describeSpecialObject(value);
  if (special !== undefined) return special;
  if (state.ancestors.has(value)) return '[Circular]';
  if (depth >= state.maxDepth) return '[Max depth]';
  state.ancestors.add(value);
  try {
    if (Array.isArray(value)) return walkItems(value, value.length, depth, state);
    if (value instanceof Set) return walkItems(value, value.size, depth, state);
    if (value instanceof Map) return walkEntries(mapEntries(value), value.size, depth, state);
    if (value instanceof Error) return { name: String(value.name), message: String(value.message) };

    const toJSON = readProperty(value, 'toJSON');
    if (typeof toJSON === 'function') {
      const converted = (toJSON as () => unknown).call(value);
      // One that returns its own object would recurse forever.
      if (converted !== value) return walk(converted, depth, state);
    }
    const keys = Object.keys(value);
    return walkEntries(objectEntries(value, keys), keys.length, depth, state);
  } catch {
    return UNREADABLE;
  } finally {
    state.ancestors.delete(value);
  }
}

/** Values with a fixed short form, checked before toJSON (Buffer's toJSON would dump every byte). */
function describeSpecialObject(value: object): JsonValue | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (ArrayBuffer.isView(value)) return `[${tagOf(value)}: ${formatBytes(value.byteLength)}]`;
  if (value instanceof ArrayBuffer) return `[ArrayBuffer: ${formatBytes(value.byteLength)}]`;
  if (typeof Blob !== 'undefined' && value instanceof Blob) return `[Blob: ${formatBytes(value.size)}]`;
  if (value instanceof RegExp) return String(value);
  const tag = tagOf(value);
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) return `[${tag}]`;
  if (tag === 'Number' || tag === 'String' || tag === 'Boolean') {
    const primitive = (value as { valueOf(): unknown }).valueOf();
    if (typeof primitive === 'number') return Number.isFinite(primitive) ? primitive : String(primitive);
    if (typeof primitive === 'string' || typeof primitive === 'boolean') return primitive;
  }
  return undefined;
}

function walkItems(items: Iterable<unknown>, size: number, depth: number, state: WalkState): JsonValue[] {
  const out: JsonValue[] = [];
  for (const item of items) {
    if (out.length >= state.maxArrayLength || state.nodesLeft <= 0) {
      out.push(`[${size - out.length} more items]`);
      break;
    }
    const safe = walk(item, depth + 1, state);
    out.push(safe === OMIT ? null : safe);
  }
  return out;
}

function walkEntries(entries: Iterable<[string, unknown]>, size: number, depth: number, state: WalkState) {
  const out: JsonObject = {};
  let kept = 0;
  let seen = 0;
  for (const [key, item] of entries) {
    if (kept >= state.maxKeys || state.nodesLeft <= 0) {
      out['…'] = `[${size - seen} more keys]`;
      break;
    }
    seen++;
    if (FORBIDDEN_KEYS.has(key)) continue;
    const safe = walk(item, depth + 1, state);
    if (safe === OMIT) continue;
    out[boundString(key, state)] = safe;
    kept++;
  }
  return out;
}

function boundString(value: string, state: WalkState): string {
  return wellFormed(state.maxStringBytes === undefined ? value : truncateUtf8(value, state.maxStringBytes));
}

/** Lazy, so getters of keys past the limit never run. */
function* objectEntries(value: object, keys: string[]): Generator<[string, unknown]> {
  for (const key of keys) yield [key, readProperty(value, key)];
}

function* mapEntries(map: Map<unknown, unknown>): Generator<[string, unknown]> {
  for (const [key, item] of map) yield [typeof key === 'string' ? key : keyToString(key), item];
}

function keyToString(key: unknown): string {
  return (
    quietly(() => (typeof key === 'object' && key !== null ? `[${tagOf(key)}]` : String(key))) ?? UNREADABLE
  );
}

function readProperty(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

function tagOf(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}
