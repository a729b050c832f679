export type JsonParseResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'invalid' | 'too-deep'; position?: number; message: string };

/**
 * Nesting depth of a JSON text, counted without parsing: one linear pass that skips string contents.
 * It runs before JSON.parse so a hostile body of a million `[` is refused cheaply, and so later code
 * (validation, persistence, the viewer) can recurse without a stack overflow.
 */
export function jsonDepth(text: string, stopAt: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAt) return max;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export function parseJson(text: string, maxDepth: number): JsonParseResult {
  if (jsonDepth(text, maxDepth) > maxDepth) {
    return { ok: false, reason: 'too-deep', message: `JSON nested deeper than ${maxDepth} levels` };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const match = /position (\d+)/.exec(String((err as Error).message));
    return {
      ok: false,
      reason: 'invalid',
      position: match ? Number(match[1]) : 0,
      message: 'JSON decode error',
    };
  }
}
