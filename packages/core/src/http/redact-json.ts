import type { SecretRedactor } from './redact-secrets';

/**
 * A copy of a parsed JSON value with `redact` applied to every string in it, object keys included, at any
 * depth. Redacting after parsing (rather than the raw text before) is what catches a secret the server
 * JSON-escaped: `JSON.parse` turns `\u002B` and `\/` back into the characters of the key.
 *
 * Recursive: a body nested deeper than the stack allows throws a `RangeError`, which the caller handles.
 */
export function redactJson(value: unknown, redact: SecretRedactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redact));
  // fromEntries defines own properties, so a `__proto__` key stays a key and never becomes a prototype.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [redact(key), redactJson(item, redact)]),
  );
}
