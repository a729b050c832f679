import type { SecretRedactor } from './redact-secrets';

const MAX_DEPTH = 5;

/**
 * A connection error's `cause`: the transport's error itself when no text in it (message, stack, string
 * properties, nested causes) carries a secret, else an `Error` copy with them redacted. undici names a
 * rejected `Bearer <key>` header in its message, and `util.inspect` prints the whole chain.
 */
export function redactCause(cause: unknown, redact: SecretRedactor, depth = 0): unknown {
  if (typeof cause === 'string') return redact(cause);
  if (cause === null || typeof cause !== 'object') return cause;
  if (depth >= MAX_DEPTH) return undefined;
  const source = cause as Record<string, unknown>;
  const enumerable = new Set(Object.keys(source));
  // `cause` and an AggregateError's `errors` are own but not enumerable.
  const keys = new Set(['message', 'stack', 'cause', 'errors', ...enumerable]);
  const fields: [key: string, value: unknown][] = [];
  let changed = false;
  for (const key of keys) {
    let value: unknown;
    try {
      if (!Object.hasOwn(source, key) && key !== 'message' && key !== 'stack') continue;
      value = source[key];
    } catch {
      continue; // a throwing getter: nothing to copy
    }
    let copy = value;
    if (typeof value === 'string') copy = redact(value);
    else if (key === 'errors' && Array.isArray(value)) {
      const errors = value.map((error) => redactCause(error, redact, depth + 1));
      if (errors.some((error, i) => error !== value[i])) copy = errors;
    } else if (key === 'cause' || (value !== null && typeof value === 'object')) {
      copy = redactCause(value, redact, depth + 1);
    }
    if (copy !== value) changed = true;
    fields.push([key, copy]);
  }
  if (!changed) return cause;
  const copy = new Error();
  for (const [key, value] of fields) {
    Object.defineProperty(copy, key, {
      value,
      enumerable: enumerable.has(key),
      writable: true,
      configurable: true,
    });
  }
  if (cause instanceof Error) {
    Object.defineProperty(copy, 'name', { value: cause.name, writable: true, configurable: true });
  }
  return copy;
}
