import type { TurnUsage } from '@chattrail/core';

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/**
 * Token usage in the Turn shape, from either spec shape:
 * - V2 (ai 5): flat numbers `{ inputTokens, outputTokens, totalTokens, reasoningTokens?, cachedInputTokens? }`;
 * - V3/V4 (ai 6/7): `{ inputTokens: { total, noCache, cacheRead, cacheWrite }, outputTokens: { total, text,
 *   reasoning }, raw? }`, with no total (it is the sum, or `raw.totalTokens` when ai 6 shimmed a V2 model).
 * Absent counts stay absent ("not reported" is not zero). Returns undefined when nothing was reported.
 */
export function normalizeUsage(usage: unknown): TurnUsage | undefined {
  if (usage === null || typeof usage !== 'object') return undefined;
  const u = usage as Record<string, unknown>;
  const result: TurnUsage = {};
  const input = u.inputTokens;
  const output = u.outputTokens;
  if (input !== null && typeof input === 'object') {
    const i = input as Record<string, unknown>;
    const o = (output !== null && typeof output === 'object' ? output : {}) as Record<string, unknown>;
    set(result, 'inputTokens', num(i.total));
    set(result, 'outputTokens', num(o.total));
    set(result, 'reasoningTokens', num(o.reasoning));
    set(result, 'cachedInputTokens', num(i.cacheRead));
    const raw = u.raw !== null && typeof u.raw === 'object' ? (u.raw as Record<string, unknown>) : undefined;
    set(result, 'totalTokens', num(raw?.totalTokens) ?? sum(result.inputTokens, result.outputTokens));
  } else {
    set(result, 'inputTokens', num(input));
    set(result, 'outputTokens', num(output));
    set(result, 'reasoningTokens', num(u.reasoningTokens));
    set(result, 'cachedInputTokens', num(u.cachedInputTokens));
    set(result, 'totalTokens', num(u.totalTokens) ?? sum(result.inputTokens, result.outputTokens));
  }
  for (const _ in result) return result;
  return undefined;
}

function set(target: TurnUsage, key: keyof TurnUsage, value: number | undefined): void {
  if (value !== undefined) target[key] = value;
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}

/** The finish reason as one string: V2 sends the string, V3/V4 `{ unified, raw }`. */
export function normalizeFinishReason(reason: unknown): string | undefined {
  if (typeof reason === 'string') return reason;
  if (reason !== null && typeof reason === 'object') {
    const unified = (reason as { unified?: unknown }).unified;
    if (typeof unified === 'string') return unified;
  }
  return undefined;
}
