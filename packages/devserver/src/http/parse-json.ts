export type JsonParseResult =
  | { ok: true; value: unknown }
  | { ok: false; reason: 'invalid' | 'too-deep'; position?: number; message: string };

/**
 * Nesting depth of a JSON text, counted without parsing: one linear pass that skips string contents.
 * It runs before JSON.parse so a hostile body of a million `[` is refused cheaply, and so later code
 * (validation, persistence, the viewer) can recurse without a stack overflow. Strings (most of a chat
 * body) are skipped with `indexOf` to their closing quote rather than char by char: a quote preceded by
 * an odd number of backslashes is escaped, so the search goes on from it.
 */
export function jsonDepth(text: string, stopAt: number): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end === -1) return max; // unterminated string: nothing after it can nest
        let backslashes = 0;
        for (let j = end - 1; text.charCodeAt(j) === 92 /* \ */; j--) backslashes++;
        i = end;
        if ((backslashes & 1) === 0) break;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
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
