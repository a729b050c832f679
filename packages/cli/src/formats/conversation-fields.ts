// Reading the loosely typed fields that every input format shares: objects, ids and timestamps.

export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or a finite number as text; else undefined. */
export function idText(raw: unknown): string | undefined {
  if (typeof raw === 'string' && raw.trim() !== '') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

/** Unix seconds (as the OpenAI APIs and the ChatGPT export give them, possibly fractional), milliseconds, or ISO text. */
export function timestamp(raw: unknown): string | undefined {
  let ms: number | undefined;
  if (typeof raw === 'number' && Number.isFinite(raw)) ms = raw < 1e11 ? raw * 1000 : raw;
  else if (typeof raw === 'string' && raw !== '') ms = Date.parse(raw);
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
